import Foundation
import Testing
import PerchCore
import PerchStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `perch` executable, run as a user would.
@Suite("perch CLI", .serialized)
struct CLITests {
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("perch")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/perch")
    }

    struct Run {
        var status: Int32
        var output: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], in folder: URL) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func appsCreatePrintsKeysAndKeepsTheMasterKeyPrivate() throws {
        let folder = try Self.folder()
        let run = try Self.run(["apps", "create", "--name", "Shop", "--database", "sqlite:shop.sqlite"], in: folder)
        #expect(run.status == 0, "\(run.output)")
        guard case .object(let app)? = JSONValue(jsonText: run.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("not JSON: \(run.output)")
            return
        }
        #expect(app["publishableKey"]?.stringValue?.hasPrefix("pk_") == true && app["secretKey"]?.stringValue?.hasPrefix("sk_") == true)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("shop.sqlite.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let list = try Self.run(["apps", "list", "--database", "sqlite:shop.sqlite"], in: folder)
        #expect(list.output.contains("Shop"))
        let database = try Data(contentsOf: folder.appendingPathComponent("shop.sqlite"))
        #expect(database.range(of: Data((app["secretKey"]?.stringValue ?? "missing").utf8)) == nil, "keys are stored hashed")
    }

    /// Without PostgreSQL there is no other process to send: a worker, or a server that leaves sending to workers, is refused.
    @Test func workersAndAnAPIOnlyServerAreRefusedOnSQLite() throws {
        let folder = try Self.folder()
        for arguments in [["worker"], ["serve", "--api-only"]] {
            let run = try Self.run(arguments + ["--database", "sqlite:one.sqlite"], in: folder)
            #expect(run.status != 0 && run.output.contains("on SQLite, perch serve sends by itself"), "\(arguments): \(run.output)")
        }
        let variable = try Self.run(["serve"], environment: ["PERCH_API_ONLY": "1", "PERCH_DATABASE_URL": "sqlite:one.sqlite"], in: folder)
        #expect(variable.status != 0 && variable.output.contains("--api-only"), "\(variable.output)")
    }

    @Test func hygieneDryRunCountsAndChangesNothing() async throws {
        let folder = try Self.folder()
        let masterKey = String(repeating: "ab", count: 32)
        let environment = ["PERCH_DATABASE_URL": "sqlite:h.sqlite", "PERCH_MASTER_KEY": masterKey]
        let store = try SQLiteStore(path: folder.appendingPathComponent("h.sqlite").path,
                                    vault: TokenVault(masterKey: try TokenVault.masterKey(from: masterKey)))
        let app = try await store.createApp(name: "H", bundleId: nil, webOrigin: nil, now: Date())
        _ = try await store.register(appId: app.app.id, TokenRegistration(installationId: "old", destination: .fcm(token: Tokens.fcm(1))),
                                     now: Date().addingTimeInterval(-40 * 86_400))
        _ = try await store.register(appId: app.app.id, TokenRegistration(installationId: "new", destination: .fcm(token: Tokens.fcm(2))), now: Date())

        let dry = try Self.run(["hygiene", "--dry-run"], environment: environment, in: folder)
        #expect(dry.status == 0 && dry.output.contains("would mark stale (not seen for 30d): 1"), "\(dry.output)")
        #expect(dry.output.contains("would mark expired (not seen for 270d): 0"))
        #expect(try await store.installation(appId: app.app.id, installationId: "old")?.tokenStatus == .active, "a dry run changes nothing")
        let real = try Self.run(["hygiene"], environment: environment, in: folder)
        #expect(real.status == 0 && real.output.contains("marked stale (not seen for 30d): 1"), "\(real.output)")
        #expect(try await store.installation(appId: app.app.id, installationId: "old")?.tokenStatus == .stale)
        #expect(try await store.installation(appId: app.app.id, installationId: "new")?.tokenStatus == .active)
        let bad = try Self.run(["hygiene", "--stale-after", "soon"], environment: environment, in: folder)
        #expect(bad.status != 0 && bad.output.contains("stale-after"))
    }

    @Test func serveReadsItsEnvironmentAndShutsDownGracefully() async throws {
        let folder = try Self.folder()
        let port = Int.random(in: 20_000...40_000)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging([
            "PERCH_PORT": "\(port)", "PERCH_HOST": "127.0.0.1", "PERCH_DATABASE_URL": "sqlite:serve.sqlite", "PERCH_ADMIN_KEY": "test-admin-key-0123456789",
        ]) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var healthy = false
        for _ in 0..<600 where !healthy {  // up to a minute: the whole suite shares two cores
            try await Task.sleep(for: .milliseconds(100))
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200, String(decoding: data, as: UTF8.self).contains("ok") {
                healthy = true
            }
        }
        #expect(healthy, "perch serve did not answer /healthz on PERCH_PORT")
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/apps")!)
        request.httpMethod = "POST"
        request.setValue("Bearer test-admin-key-0123456789", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"name":"from-env"}"#.utf8)
        let (_, created) = try await URLSession.shared.data(for: request)
        #expect((created as? HTTPURLResponse)?.statusCode == 201, "PERCH_ADMIN_KEY was read")

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "graceful shutdown exits 0")
    }
}
