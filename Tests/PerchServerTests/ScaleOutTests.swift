import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import NIOCore
import NIOFoundationCompat
import PerchCore
import PerchPostgres
import PerchSimulator
import PerchTestSupport
import PostgresNIO
import Testing

/// Perch scaled out: one `perch serve` and three `perch worker` processes on one PostgreSQL database (the
/// server `scripts/test` starts) send a campaign to `perch simulate`, which counts every push per token. Every
/// eligible token gets it, the denied never, duplicates stay within the in-flight window, the frequency cap holds
/// across processes, and every worker takes a share — also when one of them is killed with `SIGKILL` in the middle
/// of a batch and its claimed rows are taken over when their lease ends.
///
/// CI runs a small campaign (`PERCH_SCALE_TOKENS`, default 2,000) on the debug `perch` the test build made: the
/// properties are the same at any size. The 100,000-token runs are `bench/scale/run --swift-tests`, on the release
/// build (`PERCH_SCALE_BINARY`); every process is the `perch` binary a user deploys.
@Suite("Scale-out on PostgreSQL", .serialized)
struct ScaleOutTests {
    static let adminKey = "scale-admin-key-0123456789abcdef0123456789"
    static let masterKey = String(repeating: "5c", count: 32)
    /// The campaign's size: small in CI, 100,000 in `bench/scale`.
    static let tokens = ProcessInfo.processInfo.environment["PERCH_SCALE_TOKENS"].flatMap(Int.init) ?? 2_000
    static let binary = ProcessInfo.processInfo.environment["PERCH_SCALE_BINARY"].map { URL(fileURLWithPath: $0) } ?? CLITests.binary
    /// Deliveries per claim: about forty batches per run at any size, so every worker takes several and a kill lands mid-batch.
    static let batch = max(20, min(200, tokens / 40))
    /// Rounds each worker runs side by side: a killed worker held at most one claimed batch per lane.
    static let lanes = 2
    static let workers = 3

    @Test func oneServerAndThreeWorkersSendACampaign() async throws {
        try await run(killingAWorker: false)
    }

    @Test func aWorkerKilledMidBatchHasItsLeaseTakenOverAndNothingIsLost() async throws {
        try await run(killingAWorker: true)
    }

    func run(killingAWorker: Bool) async throws {
        let database = try await TestPostgres.createDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-scale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        print("scale-out: \(Self.binary.path), logs in \(folder.path)")
        let simulator = try await SimulatorProcess.start(binary: Self.binary, folder: folder)
        // The simulator process and its client end with the scenario, awaited, whether it passed or threw.
        do {
            try await scenario(killingAWorker: killingAWorker, simulator: simulator, database: database, folder: folder)
        } catch {
            await simulator.stop()
            throw error
        }
        await simulator.stop()
    }

    func scenario(killingAWorker: Bool, simulator: SimulatorProcess, database: String, folder: URL) async throws {
        // The server first: it applies the schema. Every process listens on a port the system picks, and reports it.
        let serverPortFile = ListeningPort.file(in: folder, name: "serve")
        let server = try Self.launch(["serve"], database: database, folder: folder, portFile: serverPortFile, name: "serve")
        defer { Self.stop(server) }
        let serverPort = try await ListeningPort.read(serverPortFile, of: server)
        try await Self.waitUntilHealthy(port: serverPort)
        let api = CrashRecoveryTests.Server(process: server, port: serverPort)
        let (created, app) = try await api.call("POST", "/v1/apps", key: Self.adminKey, json: ["name": "scale"])
        #expect(created == 201, "\(app)")
        let appId = try #require(app.objectValue?["id"]?.stringValue)
        let secret = try #require(app.objectValue?["secretKey"]?.stringValue)
        for platform in [Platform.apns, .fcm] {
            let (status, answer) = try await api.call("PUT", "/v1/apps/\(appId)/gateways/\(platform.rawValue)", key: secret,
                                                      json: try simulator.settings(platform))
            #expect(status == 200, "\(answer)")
        }

        // One installation per user, 60% APNs and 40% FCM; every 20th has denied consent.
        let denied = Set(stride(from: 7, to: Self.tokens, by: 20))
        let started = Date()
        try await Self.seed(database: database, appId: appId, denied: denied)
        print("scale-out: seeded \(Self.tokens) tokens in \(Int(Date().timeIntervalSince(started))) s")
        let eligible = Self.tokens - denied.count

        let workerPortFiles = (0..<Self.workers).map { ListeningPort.file(in: folder, name: "worker-\($0)") }
        let workers = try workerPortFiles.enumerated().map { index, portFile in
            try Self.launch(["worker", "--port", "0"], database: database, folder: folder, portFile: portFile, name: "worker-\(index)")
        }
        defer { workers.forEach(Self.stop) }
        var workerPorts: [Int] = []
        for (worker, portFile) in zip(workers, workerPortFiles) {
            workerPorts.append(try await ListeningPort.read(portFile, of: worker))
            try await Self.waitUntilHealthy(port: workerPorts.last!)
        }

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

        func accepted() async throws -> Int {
            try await [Platform.apns, .fcm].asyncMap { try await simulator.counters($0, perToken: false).accepted }.reduce(0, +)
        }
        if killingAWorker {
            let deadline = Date().addingTimeInterval(900)
            while try await accepted() < eligible * 3 / 10, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            kill(workers[0].processIdentifier, SIGKILL)
            workers[0].waitUntilExit()
            print("scale-out: worker-0 killed after \(try await accepted()) of \(eligible) accepted")
        }
        // Progress from the simulators' totals (cheap); a campaign's answer carries its full report, computed from
        // every delivery row, so it is read once every push is in (or every 10 s), not four times a second.
        var statuses: [JSONValue] = []
        let deadline = Date().addingTimeInterval(1_500)
        var lastLook = Date.distantPast
        while Date() < deadline {
            if try await accepted() >= eligible || Date().timeIntervalSince(lastLook) > 10 {
                lastLook = Date()
                statuses = try await campaignIds.asyncMap { try await api.call("GET", "/v1/campaigns/\($0)", key: secret).1 }
                if statuses.allSatisfy({ $0.objectValue?["status"] == "completed" }) { break }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let seconds = Date().timeIntervalSince(sending)
        let total = try await accepted()
        print("scale-out: \(total) accepted in \(Int(seconds)) s (\(Int(Double(total) / seconds))/s) with \(Self.workers) workers")
        #expect(statuses.allSatisfy { $0.objectValue?["status"] == "completed" }, "\(statuses)")

        // Every eligible token got one of the two, the denied none; duplicates only from the killed worker's batch.
        let counters = try await [Platform.apns, .fcm].asyncMap { try await simulator.counters($0) }
        let distinct = counters.map(\.perToken.count).reduce(0, +)
        let duplicates = counters.map(\.duplicates).reduce(0, +)
        let extra = counters.flatMap(\.perToken.values).map { $0 - 1 }.reduce(0, +)
        #expect(distinct == eligible, "every eligible token got the message: \(distinct) of \(eligible)")
        let sentToDenied = denied.filter { index in counters.contains { $0.perToken[Self.token(index)] != nil } }
        #expect(sentToDenied.isEmpty, "no installation with denied consent was sent to: \(sentToDenied.count) were")
        let window = killingAWorker ? Self.batch * Self.lanes : 0
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

    static func launch(_ arguments: [String], database: String, folder: URL, portFile: URL, name: String) throws -> Process {
        var environment = [
            "PERCH_DATABASE_URL": try TestPostgres.url(database: database, pool: 8), "PERCH_MASTER_KEY": masterKey, "PERCH_ADMIN_KEY": adminKey,
            "PERCH_HOST": "127.0.0.1", "PERCH_DELIVERY_BATCH": "\(batch)", "PERCH_DELIVERY_CONCURRENCY": "32", "PERCH_DELIVERY_LANES": "\(lanes)",
            "PERCH_DELIVERY_LEASE": "10",
            "PERCH_LOG_LEVEL": "warning", "PERCH_PORT_FILE": portFile.path, "PERCH_ALLOW_GATEWAY_HOSTS": "127.0.0.1",
        ]
        if arguments.first == "serve" { environment["PERCH_PORT"] = "0" }
        return try SimulatorProcess.launch(binary: binary, arguments, folder: folder, name: name, environment: environment)
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

    /// Loads the installations straight into the shared database in bulk, the way `perch migrate` loads a
    /// registry: tokens sealed and blind-indexed with the processes' master key, one user each, consent with its
    /// history. The registration path itself is covered by the store suites on both backends; this test is about
    /// sending, and registering 100,000 installations one by one through a debug build would take most of its time.
    static func seed(database: String, appId: String, denied: Set<Int>) async throws {
        let vault = TokenVault(masterKey: try TokenVault.masterKey(from: masterKey))
        let client = PostgresClient(configuration: try PostgresStore.Configuration(url: TestPostgres.url(database: database, pool: 1)).client)
        let at = Date().timeIntervalSince1970
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            for start in stride(from: 0, to: tokens, by: 5_000) {
                let indices = Array(start..<min(start + 5_000, tokens))
                let destinations: [PushDestination] = indices.map {
                    $0 % 5 < 3 ? .apns(token: Tokens.apns($0), environment: .production) : .fcm(token: Tokens.fcm($0))
                }
                let installations = indices.map { "inst-\($0)" }, users = indices.map { "user-\($0)" }, tokenIds = indices.map { "tok_scale\($0)" }
                let platforms = destinations.map(\.platform.rawValue)
                let environments = destinations.map { if case .apns = $0 { "production" } else { "" } }
                let blind = destinations.map { ByteBuffer(data: vault.blindIndex(appId: appId, platform: $0.platform, identity: $0.identity)) }
                let sealed = try destinations.map { ByteBuffer(data: try vault.seal($0.sealedForm, context: appId)) }
                let consent = indices.map { denied.contains($0) ? "denied" : "granted" }
                try await client.query("""
                    INSERT INTO users (app_id, user_id, created_at, updated_at) SELECT \(appId), u, \(at), \(at) FROM unnest(\(users)::text[]) AS u
                    """)
                try await client.query("""
                    INSERT INTO tokens (app_id, id, platform, environment, installation_id, blind_index, sealed, status, created_at, last_seen_at,
                                        last_token_update_at)
                    SELECT \(appId), t.id, t.platform, NULLIF(t.environment, ''), t.installation, t.blind, t.sealed, 'active', \(at), \(at), \(at)
                    FROM unnest(\(tokenIds)::text[], \(platforms)::text[], \(environments)::text[], \(installations)::text[], \(blind)::bytea[],
                                \(sealed)::bytea[]) AS t(id, platform, environment, installation, blind, sealed)
                    """)
                try await client.query("""
                    INSERT INTO installations (app_id, installation_id, platform, user_id, token_id, timezone, consent, consent_source, consent_at,
                                               created_at, last_seen_at)
                    SELECT \(appId), i.installation, i.platform, i.user_id, i.token_id, 'UTC', i.consent, 'registration', \(at), \(at), \(at)
                    FROM unnest(\(installations)::text[], \(platforms)::text[], \(users)::text[], \(tokenIds)::text[], \(consent)::text[])
                         AS i(installation, platform, user_id, token_id, consent)
                    """)
                try await client.query("""
                    INSERT INTO consent_history (app_id, installation_id, status, source, at)
                    SELECT \(appId), h.installation, h.consent, 'registration', \(at) FROM unnest(\(installations)::text[], \(consent)::text[]) AS h(installation, consent)
                    """)
            }
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
