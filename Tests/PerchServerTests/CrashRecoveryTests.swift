import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
import PerchCore
import PerchSimulator
import PerchTestSupport

/// `kill -9` of `perch serve` in the middle of a campaign, then a restart on the same database (a SQLite file, or
/// a PostgreSQL database whose claimed rows wait out their lease): the campaign
/// completes, every eligible token gets the message, and duplicates stay within the in-flight window (one
/// claimed batch per lane) — counted by the simulators, which see every push.
@Suite("Crash recovery", .serialized)
struct CrashRecoveryTests {
    static let adminKey = "crash-admin-key-0123456789abcdef0123456789"
    static let batch = 20
    static let lanes = 2

    struct Server {
        let process: Process
        let port: Int

        /// `perch serve` on a free port (PERCH_PORT=0), which it reports once listening.
        static func start(folder: URL, database: String) async throws -> Server {
            let portFile = ListeningPort.file(in: folder, name: "serve")
            let process = Process()
            process.executableURL = CLITests.binary
            process.arguments = ["serve"]
            process.currentDirectoryURL = folder
            process.environment = ProcessInfo.processInfo.environment.merging([
                "PERCH_PORT": "0", "PERCH_PORT_FILE": portFile.path, "PERCH_HOST": "127.0.0.1", "PERCH_DATABASE_URL": database, "PERCH_ADMIN_KEY": adminKey,
                "PERCH_MASTER_KEY": String(repeating: "c4", count: 32), "PERCH_ALLOW_GATEWAY_HOSTS": "127.0.0.1",
                "PERCH_DELIVERY_LEASE": "2", "PERCH_DELIVERY_BATCH": "\(batch)", "PERCH_DELIVERY_CONCURRENCY": "4", "PERCH_DELIVERY_LANES": "\(lanes)",
                "PERCH_LOG_LEVEL": "warning",
            ]) { _, new in new }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            do {
                return Server(process: process, port: try await ListeningPort.read(portFile, of: process))
            } catch {
                process.terminate()
                throw error
            }
        }

        func call(_ method: String, _ path: String, key: String, json: JSONValue? = nil) async throws -> (Int, JSONValue) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
            if let json {
                request.httpBody = Data(json.jsonText.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, JSONValue(jsonText: String(decoding: data, as: UTF8.self)) ?? .null)
        }

        func waitUntilHealthy() async throws {
            for _ in 0..<600 {
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
                   (response as? HTTPURLResponse)?.statusCode == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw PerchError(.internalError, "perch serve did not start")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func killNineMidCampaignThenRestartCompletesItWithBoundedDuplicates(_ backend: TestBackend) async throws {
        var configuration = SimulatorConfiguration()
        configuration.eventLoopThreads = 1
        configuration.latency = .milliseconds(25)
        let simulator = PushSimulator(configuration: configuration)
        let endpoints = try await simulator.start()
        // The simulator stops when the scenario ends, awaited, whether it passed or threw.
        do {
            try await crashAndRestart(backend, simulator: simulator, endpoints: endpoints)
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    func crashAndRestart(_ backend: TestBackend, simulator: PushSimulator, endpoints: SimulatorEndpoints) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let database = switch backend {
        case .sqlite: "sqlite:crash.sqlite"
        case .postgres: try TestPostgres.url(database: try await TestPostgres.createDatabase())
        }

        var server = try await Server.start(folder: folder, database: database)
        defer { if server.process.isRunning { server.process.terminate() } }
        try await server.waitUntilHealthy()
        let (createdStatus, app) = try await server.call("POST", "/v1/apps", key: Self.adminKey, json: ["name": "crash"])
        #expect(createdStatus == 201)
        let appId = try #require(app.objectValue?["id"]?.stringValue)
        let secret = try #require(app.objectValue?["secretKey"]?.stringValue)
        let publishable = try #require(app.objectValue?["publishableKey"]?.stringValue)
        let vapid = try #require(app.objectValue?["vapidPublicKey"]?.stringValue)
        let ca = JSONValue.string(endpoints.caCertificatePEM)
        for (platform, body) in [
            ("apns", SendAPITests.apnsSettings(endpoints)),
            ("fcm", ["serviceAccount": try #require(JSONValue(jsonText: endpoints.fcmServiceAccountJSON)), "endpoint": .string(endpoints.fcmURL), "caCertificate": ca]),
            ("webpush", ["subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1"], "caCertificate": ca]),
        ] as [(String, JSONValue)] {
            let (status, answer) = try await server.call("PUT", "/v1/apps/\(appId)/gateways/\(platform)", key: secret, json: body)
            #expect(status == 200, "\(answer)")
        }
        // 100 tokens per platform; ten installations have denied consent and must never be sent to.
        for index in 0..<300 {
            var body: [String: JSONValue] = ["installationId": .string("inst-\(index)"), "consent": index % 30 == 7 ? "denied" : "granted"]
            switch index % 3 {
            case 0: body.merge(["platform": "apns", "token": .string(Tokens.apns(5000 + index)), "environment": "production"]) { $1 }
            case 1: body.merge(["platform": "fcm", "token": .string(Tokens.fcm(5000 + index))]) { $1 }
            default:
                let subscription = simulator.newWebPushSubscription(applicationServerKey: Base64URL.decode(vapid))
                body.merge(["platform": "webpush", "subscription": ["endpoint": .string(subscription.endpoint),
                                                                     "keys": ["p256dh": .string(subscription.p256dh), "auth": .string(subscription.auth)]]]) { $1 }
            }
            let (status, answer) = try await server.call("POST", "/v1/tokens", key: publishable, json: .object(body))
            #expect(status == 201, "\(answer)")
        }
        let (_, campaign) = try await server.call("POST", "/v1/campaigns", key: secret, json: [
            "name": "Crash me", "audience": ["filter": "lastSeenAt within 1d"], "message": ["title": "Hello", "body": "Survives a crash"]])
        let campaignId = try #require(campaign.objectValue?["id"]?.stringValue)
        _ = try await server.call("POST", "/v1/campaigns/\(campaignId)/send", key: secret)

        func accepted() -> Int { [Platform.apns, .fcm, .webpush].map { simulator.counters(platform: $0).accepted }.reduce(0, +) }
        let deadline = Date().addingTimeInterval(60)
        while accepted() < 80, Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        let atCrash = accepted()
        #expect(atCrash >= 80 && atCrash < 290, "killed mid-campaign, after \(atCrash) of 290")

        server = try await Server.start(folder: folder, database: database)
        try await server.waitUntilHealthy()
        var status: JSONValue = .null
        let restartDeadline = Date().addingTimeInterval(120)
        while Date() < restartDeadline {
            status = try await server.call("GET", "/v1/campaigns/\(campaignId)", key: secret).1
            if status.objectValue?["status"] == "completed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status.objectValue?["status"] == "completed", "\(status)")
        let counts = try #require(status.objectValue?["counts"]?.objectValue)
        #expect(counts["accepted"] == 290 && counts["suppressedByReason"]?.objectValue?["consent_denied"] == 10, "\(counts)")

        let perPlatform = [Platform.apns, .fcm, .webpush].map { simulator.counters(platform: $0) }
        let distinct = perPlatform.map(\.perToken.count).reduce(0, +)
        let duplicates = perPlatform.map(\.duplicates).reduce(0, +)
        #expect(distinct == 290, "every eligible token got the message at least once")
        #expect(duplicates <= Self.batch * Self.lanes,
                "duplicates (\(duplicates)) stay within one claimed batch (\(Self.batch)) per lane (\(Self.lanes))")
        kill(server.process.processIdentifier, SIGTERM)
        server.process.waitUntilExit()
    }
}
