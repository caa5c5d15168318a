import Foundation
import PerchTestSupport
import Testing
import PerchCore
import PerchSQL
import PerchSQLite
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
        let identitySecret = app["identitySecret"]?.stringValue ?? ""
        #expect(identitySecret.hasPrefix("is_") && identitySecret.count == 46 && app["identityVerification"] == "required")
        #expect(database.range(of: Data(identitySecret.utf8)) == nil, "the identity secret is stored sealed")
    }

    /// The admin key opens every app: one short enough to guess is refused before the server starts, flag or variable.
    @Test func aShortAdminKeyIsRefusedAtStartup() throws {
        let folder = try Self.folder()
        let short = "admin-key-0123456789"
        for (arguments, environment) in [(["serve", "--admin-key", short], [String: String]()), (["serve"], ["PERCH_ADMIN_KEY": short])] {
            let run = try Self.run(arguments + ["--database", "sqlite:short.sqlite", "--port", "0"], environment: environment, in: folder)
            #expect(run.status != 0 && run.output.contains("at least 32"), "\(arguments): \(run.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("short.sqlite").path), "refused before opening the store")
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

    /// The operator's gateway host list is checked before anything starts; a typo is not a silently empty list.
    @Test func aMalformedGatewayHostListIsRefusedAtStart() throws {
        let folder = try Self.folder()
        let flag = try Self.run(["serve", "--allow-gateway-hosts", "127.0.0.1,sim.example:99999", "--database", "sqlite:g.sqlite"], in: folder)
        #expect(flag.status != 0 && flag.output.contains("--allow-gateway-hosts") && flag.output.contains("sim.example:99999"), "\(flag.output)")
        let variable = try Self.run(["serve"], environment: ["PERCH_ALLOW_GATEWAY_HOSTS": "https://sim.example", "PERCH_DATABASE_URL": "sqlite:g.sqlite"],
                                    in: folder)
        #expect(variable.status != 0 && variable.output.contains("PERCH_ALLOW_GATEWAY_HOSTS"), "\(variable.output)")
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

    @Test func analyticsVerifyNamesADriftedRollupExitsNonZeroAndRepairs() async throws {
        let folder = try Self.folder()
        let masterKey = String(repeating: "cd", count: 32)
        let environment = ["PERCH_DATABASE_URL": "sqlite:a.sqlite", "PERCH_MASTER_KEY": masterKey]
        let store = try SQLiteStore(path: folder.appendingPathComponent("a.sqlite").path,
                                    vault: TokenVault(masterKey: try TokenVault.masterKey(from: masterKey)))
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: Date()).app.id
        for index in 0..<3 {
            _ = try await store.register(appId: app, TokenRegistration(installationId: "i\(index)", destination: .fcm(token: Tokens.fcm(index)),
                                                                        consent: .granted), now: Date())
        }
        let definition = CampaignDefinition(name: "c", audience: .init(filter: "platform == \"fcm\""), message: PushMessage(title: "t", body: "b"))
        let campaign = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: Date())
        _ = try await store.startCampaign(appId: app, id: campaign.id, startAt: Date(), now: Date())
        let planned = CampaignPlanner(campaignId: campaign.id, definition: definition)
            .plan(try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"fcm\"")), now: Date()),
                  history: .init(), start: Date())
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: Date())

        let clean = try Self.run(["analytics", "verify"], environment: environment, in: folder)
        #expect(clean.status == 0 && clean.output.contains("rollups match the facts"), "\(clean.output)")
        try await store.execute([SQLStatement("UPDATE campaign_delivery_rollups SET n = n + 2")])
        let drifted = try Self.run(["analytics", "verify"], environment: environment, in: folder)
        #expect(drifted.status == 1 && drifted.output.contains("campaign_delivery_rollups \(app)/\(campaign.id)/"), "\(drifted.output)")
        #expect(drifted.output.contains("run with --repair"))
        let repaired = try Self.run(["analytics", "verify", "--repair"], environment: environment, in: folder)
        #expect(repaired.status == 0 && repaired.output.contains("repaired"), "\(repaired.output)")
        let again = try Self.run(["analytics", "verify"], environment: environment, in: folder)
        #expect(again.status == 0 && again.output.contains("rollups match the facts"), "\(again.output)")
        #expect(try await store.campaignCounts(appId: app, campaignId: campaign.id, now: Date()).tokens == 3)
    }

    @Test func serveReadsItsEnvironmentAndShutsDownGracefully() async throws {
        let folder = try Self.folder()
        let portFile = ListeningPort.file(in: folder, name: "serve")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve"]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(ListeningPort.environment(file: portFile).merging([
            "PERCH_HOST": "127.0.0.1", "PERCH_DATABASE_URL": "sqlite:serve.sqlite", "PERCH_ADMIN_KEY": "test-admin-key-0123456789abcdef0123456789",
        ]) { _, new in new }) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // PERCH_PORT=0: the system picked a free port, which the server wrote to PERCH_PORT_FILE once listening.
        let port = try await ListeningPort.read(portFile, of: process)
        var healthy = false
        for _ in 0..<600 where !healthy {  // up to a minute: the whole suite shares two cores
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200, String(decoding: data, as: UTF8.self).contains("ok") {
                healthy = true
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(healthy, "perch serve did not answer /healthz on the port it reported")
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/apps")!)
        request.httpMethod = "POST"
        request.setValue("Bearer test-admin-key-0123456789abcdef0123456789", forHTTPHeaderField: "Authorization")
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
