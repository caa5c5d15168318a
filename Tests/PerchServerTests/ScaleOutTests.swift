import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import PerchCore
import PerchPostgres
import PerchSimulator
import PostgresNIO
import Testing

/// Perch scaled out: one `perch serve` and three `perch worker` processes on one PostgreSQL database (the
/// server `scripts/test` starts) send a 100,000-token campaign to the simulators, which count every push per
/// token. Every eligible token gets it, the denied never, duplicates stay within the in-flight window, the
/// frequency cap holds across processes, and every worker takes a share — also when one of them is killed
/// with `SIGKILL` in the middle of the run and its claimed rows are taken over when their lease ends.
@Suite("Scale-out on PostgreSQL", .serialized)
struct ScaleOutTests {
    static let adminKey = "scale-admin-key-0123456789"
    static let masterKey = String(repeating: "5c", count: 32)
    /// `PERCH_SCALE_TOKENS` makes a quick local run smaller; CI runs the full 100,000.
    static let tokens = ProcessInfo.processInfo.environment["PERCH_SCALE_TOKENS"].flatMap(Int.init) ?? 100_000
    static let batch = 200
    static let workers = 3

    @Test func oneServerAndThreeWorkersSendAHundredThousandTokenCampaign() async throws {
        try await run(killingAWorker: false)
    }

    @Test func aWorkerKilledMidRunHasItsLeaseTakenOverAndNothingIsLost() async throws {
        try await run(killingAWorker: true)
    }

    func run(killingAWorker: Bool) async throws {
        var configuration = SimulatorConfiguration()
        configuration.eventLoopThreads = 1
        configuration.receivedHistoryLimit = 0
        let simulator = PushSimulator(configuration: configuration)
        let endpoints = try await simulator.start()
        defer { Task { try? await simulator.shutdown() } }
        let database = try await Self.createDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)

        // The server first: it applies the schema.
        let serverPort = Int.random(in: 20_000...30_000)
        let server = try Self.launch(["serve"], database: database, folder: folder, port: serverPort, name: "serve")
        defer { Self.stop(server) }
        try await Self.waitUntilHealthy(port: serverPort)
        let api = CrashRecoveryTests.Server(process: server, port: serverPort)
        let (created, app) = try await api.call("POST", "/v1/apps", key: Self.adminKey, json: ["name": "scale"])
        #expect(created == 201, "\(app)")
        let appId = try #require(app.objectValue?["id"]?.stringValue)
        let secret = try #require(app.objectValue?["secretKey"]?.stringValue)
        for (platform, body) in [
            ("apns", SendAPITests.apnsSettings(endpoints)),
            ("fcm", ["serviceAccount": try #require(JSONValue(jsonText: endpoints.fcmServiceAccountJSON)), "endpoint": .string(endpoints.fcmURL),
                     "caCertificate": .string(endpoints.caCertificatePEM)]),
        ] as [(String, JSONValue)] {
            let (status, answer) = try await api.call("PUT", "/v1/apps/\(appId)/gateways/\(platform)", key: secret, json: body)
            #expect(status == 200, "\(answer)")
        }

        // 100,000 installations, one per user, 60% APNs and 40% FCM; every 20th has denied consent.
        let denied = Set(stride(from: 7, to: Self.tokens, by: 20))
        let started = Date()
        try await Self.seed(database: database, appId: appId, denied: denied)
        print("scale-out: seeded \(Self.tokens) tokens in \(Int(Date().timeIntervalSince(started))) s")
        let eligible = Self.tokens - denied.count

        let workerPorts = (0..<Self.workers).map { serverPort + 1 + $0 }
        let workers = try workerPorts.enumerated().map { index, port in
            try Self.launch(["worker", "--port", "\(port)"], database: database, folder: folder, port: nil, name: "worker-\(index)")
        }
        defer { workers.forEach(Self.stop) }
        for port in workerPorts { try await Self.waitUntilHealthy(port: port) }

        // Two campaigns to everyone at once, each capped at one push per person per day: whichever resolves
        // second finds everyone capped, however many processes run a scheduler.
        var campaignIds: [String] = []
        for name in ["Launch", "Launch reminder"] {
            let (status, campaign) = try await api.call("POST", "/v1/campaigns", key: secret, json: [
                "name": .string(name), "audience": ["filter": "lastSeenAt within 1d"], "message": ["title": "Hello", "body": .string(name)],
                "frequencyCap": [["limit": 1, "windowSeconds": 86_400]]])
            #expect(status == 201, "\(campaign)")
            campaignIds.append(try #require(campaign.objectValue?["id"]?.stringValue))
        }
        let sending = Date()
        for id in campaignIds { _ = try await api.call("POST", "/v1/campaigns/\(id)/send", key: secret) }

        func accepted() -> Int { [Platform.apns, .fcm].map { simulator.counters(platform: $0).accepted }.reduce(0, +) }
        if killingAWorker {
            let deadline = Date().addingTimeInterval(900)
            while accepted() < eligible * 3 / 10, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            kill(workers[0].processIdentifier, SIGKILL)
            workers[0].waitUntilExit()
            print("scale-out: worker-0 killed after \(accepted()) of \(eligible) accepted")
        }
        var statuses: [JSONValue] = []
        let deadline = Date().addingTimeInterval(1_500)
        while Date() < deadline {
            statuses = try await campaignIds.asyncMap { try await api.call("GET", "/v1/campaigns/\($0)", key: secret).1 }
            if statuses.allSatisfy({ $0.objectValue?["status"] == "completed" }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let seconds = Date().timeIntervalSince(sending)
        print("scale-out: \(accepted()) accepted in \(Int(seconds)) s (\(Int(Double(accepted()) / seconds))/s) with \(Self.workers) workers")
        #expect(statuses.allSatisfy { $0.objectValue?["status"] == "completed" }, "\(statuses)")

        // Every eligible token got one of the two, the denied none; duplicates only from the killed worker's batch.
        let counters = [Platform.apns, .fcm].map { simulator.counters(platform: $0) }
        let distinct = counters.map(\.perToken.count).reduce(0, +)
        let duplicates = counters.map(\.duplicates).reduce(0, +)
        let extra = counters.flatMap(\.perToken.values).map { $0 - 1 }.reduce(0, +)
        #expect(distinct == eligible, "every eligible token got the message: \(distinct) of \(eligible)")
        let sentToDenied = denied.filter { index in counters.contains { $0.perToken[Self.token(index)] != nil } }
        #expect(sentToDenied.isEmpty, "no installation with denied consent was sent to: \(sentToDenied.count) were")
        let window = killingAWorker ? Self.batch : 0
        #expect(duplicates <= window && extra <= window, "duplicates \(duplicates) (extra pushes \(extra)) within the in-flight window \(window)")

        // The cap held across processes: one campaign reached everyone, the other no one.
        let counts = try statuses.map { try #require($0.objectValue?["counts"]?.objectValue) }
        let acceptedByCampaign = counts.map { Int($0["accepted"]?.numberValue ?? -1) }
        #expect(acceptedByCampaign.reduce(0, +) == eligible && acceptedByCampaign.contains(0), "\(counts)")
        let capped = counts.map { Int($0["suppressedByReason"]?.objectValue?["frequency_cap_user"]?.numberValue ?? 0) }
        #expect(capped.contains(eligible), "the second campaign found every eligible person capped: \(capped)")

        // Every worker that lived took a share of the work.
        for (index, port) in workerPorts.enumerated() where !(killingAWorker && index == 0) {
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            let sent = String(decoding: data, as: UTF8.self).split(separator: "\n")
                .filter { $0.hasPrefix("perch_deliveries_total{") && $0.contains("outcome=\"accepted\"") }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            print("scale-out: worker-\(index) sent \(Int(sent))")
            #expect(sent > 0, "worker-\(index) took a share")
        }
    }

    // MARK: - Processes

    static func launch(_ arguments: [String], database: String, folder: URL, port: Int?, name: String) throws -> Process {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment.merging([
            "PERCH_DATABASE_URL": try url(database: database, pool: 8), "PERCH_MASTER_KEY": masterKey, "PERCH_ADMIN_KEY": adminKey,
            "PERCH_HOST": "127.0.0.1", "PERCH_DELIVERY_BATCH": "\(batch)", "PERCH_DELIVERY_CONCURRENCY": "32", "PERCH_DELIVERY_LEASE": "10",
            "PERCH_LOG_LEVEL": "info",
        ]) { _, new in new }
        if let port { environment["PERCH_PORT"] = "\(port)" }
        process.environment = environment
        let log = folder.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        return process
    }

    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    static func waitUntilHealthy(port: Int) async throws {
        for _ in 0..<600 {
            if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
               (response as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PerchError(.internalError, "the process on port \(port) did not become healthy")
    }

    // MARK: - Data

    static func token(_ index: Int) -> String {
        index % 5 < 3 ? Tokens.apns(index) : Tokens.fcm(index)
    }

    /// Registers the installations straight into the shared database, as many clients at once would.
    static func seed(database: String, appId: String, denied: Set<Int>) async throws {
        let store = PostgresStore(configuration: try .init(url: url(database: database, pool: 16)),
                                  vault: try TokenVault(masterKey: TokenVault.masterKey(from: masterKey)), logger: Logger(label: "scale.seed"))
        try await store.withRunning { store in
            let now = Date()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        for index in stride(from: lane, to: tokens, by: 16) {
                            let destination: PushDestination = index % 5 < 3
                                ? .apns(token: Tokens.apns(index), environment: .production) : .fcm(token: Tokens.fcm(index))
                            _ = try await store.register(appId: appId, TokenRegistration(
                                installationId: "inst-\(index)", destination: destination, userId: "user-\(index)", timezone: "UTC",
                                consent: denied.contains(index) ? .denied : .granted), now: now)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    // MARK: - PostgreSQL

    static func url(database: String, pool: Int) throws -> String {
        guard let text = ProcessInfo.processInfo.environment["PERCH_TEST_POSTGRES_URL"], var components = URLComponents(string: text) else {
            throw PerchError(.internalError, "PERCH_TEST_POSTGRES_URL is not set: run the tests through scripts/test, which starts PostgreSQL")
        }
        components.path = "/" + database
        components.queryItems = [URLQueryItem(name: "pool", value: String(pool))]
        return components.string!
    }

    /// A fresh database on the test server.
    static func createDatabase() async throws -> String {
        let name = "perch_scale_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let client = PostgresClient(configuration: try PostgresStore.Configuration(url: url(database: "postgres", pool: 1)).client)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        }
        return name
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
