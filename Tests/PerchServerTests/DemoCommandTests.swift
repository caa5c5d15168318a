import Foundation
import PerchCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `perch serve --demo`, run as a newcomer would: the built binary, a fresh folder, the public API.
@Suite("perch serve --demo", .serialized)
struct DemoCommandTests {
    struct Server {
        let process: Process
        let log: URL
        let port: Int

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits until the output contains `text`, for up to `seconds`.
        func wait(for text: String, seconds: Int) async throws -> Bool {
            for _ in 0..<(seconds * 4) {
                if output.contains(text) { return true }
                guard process.isRunning else { return false }
                try await Task.sleep(for: .milliseconds(250))
            }
            return false
        }

        func get(_ path: String, key: String) async throws -> (status: Int, body: JSONValue) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, JSONValue(jsonText: String(decoding: data, as: UTF8.self)) ?? .null)
        }

        func stop() async throws -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            return process.isRunning ? -1 : process.terminationStatus
        }
    }

    /// `perch serve --demo` on a free port (--port 0), which it reports once listening.
    static func start(in folder: URL, size: Int) async throws -> Server {
        let portFile = ListeningPort.file(in: folder, name: "serve")
        let log = folder.appendingPathComponent("serve-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["serve", "--demo", "--port", "0", "--port-file", portFile.path]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PERCH_DEMO_SIZE": "\(size)", "PERCH_LOG_LEVEL": "warning",
        ]) { _, new in new }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        do {
            return Server(process: process, log: log, port: try await ListeningPort.read(portFile, of: process))
        } catch {
            process.terminate()
            throw error
        }
    }

    @Test func aFreshDemoShowsACompletedCampaignWithRealNumbersAndARestartReusesIt() async throws {
        let folder = try CLITests.folder()
        let server = try await Self.start(in: folder, size: 2_000)
        defer { if server.process.isRunning { server.process.terminate() } }

        #expect(try await server.wait(for: "Perch demo — ", seconds: 600), "no demo summary:\n\(server.output.suffix(3000))")
        let output = server.output
        #expect(output.contains("demo: seeded installations 2000 / 2000"), "progress is printed")

        // The secret key is printed, and kept (mode 0600) beside the database for the next run.
        let statePath = folder.appendingPathComponent("perch-demo.sqlite.demo.json").path
        let attributes = try FileManager.default.attributesOfItem(atPath: statePath)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let state = try #require(JSONValue(jsonText: try String(contentsOfFile: statePath, encoding: .utf8))?.objectValue)
        let key = try #require(state["secretKey"]?.stringValue)
        #expect(output.contains("secret key   \(key)"))

        let campaigns = try await server.get("/v1/campaigns", key: key)
        #expect(campaigns.status == 200)
        let sale = try #require(campaigns.body.objectValue?["campaigns"]?.demoList?.first { $0.objectValue?["name"]?.stringValue == "Spring sale" })
        let id = try #require(sale.objectValue?["id"]?.stringValue)
        let view = try await server.get("/v1/campaigns/\(id)", key: key).body.objectValue ?? [:]
        #expect(view["status"]?.stringValue == "completed")
        let counts = try #require(view["counts"]?.objectValue)
        func count(_ name: String) -> Int { counts[name]?.integerValue ?? 0 }
        #expect(count("tokens") > 1_500, "the segment selects nearly every token")
        #expect(count("attempted") > 300 && count("accepted") > 300)
        #expect(count("accepted") < count("attempted"), "dead tokens were attempted and refused")
        #expect(count("retired") > 0, "dead tokens were retired")
        #expect(count("queued") == 0)
        let suppressed = counts["suppressedByReason"]?.objectValue ?? [:]
        for reason in ["holdout", "device_policy", "consent_denied", "consent_unknown", "token_revoked", "token_expired", "frequency_cap_user"] {
            #expect((suppressed[reason]?.integerValue ?? 0) > 0, "nobody suppressed for \(reason): \(suppressed)")
        }
        #expect(count("received") > 0 && count("opened") > 0 && count("converted") > 0, "the devices reported a funnel")
        #expect((counts["variants"]?.objectValue ?? [:]).count == 2)

        // iOS installations hold VoIP and Live Activity tokens too, and the demo sent Live Activities to them.
        let health = try await server.get("/v1/metrics/tokens", key: key).body.objectValue ?? [:]
        let byKind = health["byKind"]?.objectValue ?? [:]
        for kind in ["device", "voip", "liveActivityStart", "liveActivity"] {
            #expect((byKind[kind]?.objectValue?["active"]?.integerValue ?? 0) > 0, "no active \(kind) token: \(byKind)")
        }
        #expect(output.contains("tokens       device "), "the summary counts tokens by kind")
        #expect(output.contains("demo: updated the running Live Activity demo-order-"), "\(output.suffix(3000))")
        let names = campaigns.body.objectValue?["campaigns"]?.demoList?.compactMap { $0.objectValue?["name"]?.stringValue } ?? []
        #expect(names.contains { $0.hasPrefix("Live Activity start") }, "\(names)")

        // The printed explain URL answers why.
        let explainLine = try #require(output.split(separator: "\n").first { $0.contains("/explain?installationId=") })
        let installationId = try #require(explainLine.split(separator: "=").dropFirst().first?.split(separator: "\"").first)
        let explain = try await server.get("/v1/campaigns/\(id)/explain?installationId=\(installationId)", key: key)
        #expect(explain.status == 200 && ["sent", "left_out"].contains(explain.body.objectValue?["verdict"]?.stringValue ?? ""), "\(explain.body)")

        #expect(try await server.stop() == 0, "graceful shutdown exits 0")

        // A restart reuses the app, its population and its campaign.
        let again = try await Self.start(in: folder, size: 2_000)
        defer { if again.process.isRunning { again.process.terminate() } }
        #expect(try await again.wait(for: "Perch demo — ", seconds: 300), "no summary after restart:\n\(again.output.suffix(3000))")
        #expect(again.output.contains("sent by an earlier run") && !again.output.contains("demo: seeding"))
        #expect(again.output.contains("secret key   \(key)"))
        let afterRestart = try await again.get("/v1/campaigns", key: key).body.objectValue?["campaigns"]?.demoList ?? []
        #expect(afterRestart.count == names.count, "no campaign was sent twice")
        #expect(try await again.stop() == 0)
    }
}

private extension JSONValue {
    var demoList: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
