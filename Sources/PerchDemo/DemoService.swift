import Crypto
import Foundation
import Logging
import NIOHTTP1
import PerchCore
import PerchSimulator
import PerchStore
import ServiceLifecycle

/// `perch serve --demo`: push simulators in process, a demo app wired to them, a realistic population
/// seeded through the registry, and a campaign sent through the public API — so a newcomer sees real
/// numbers at once. Idempotent: a restart reuses the demo app, its population and its campaign.
///
/// ``prepare(store:databasePath:size:server:logger:output:)`` runs before the server starts;
/// the service then waits for the server, seeds, sends, reports and stays up until shutdown.
public struct DemoService: Service {
    let store: any PerchStore
    let simulator: PushSimulator
    let population: DemoPopulation
    let devices: DemoDevices
    let api: DemoAPIClient
    let statePath: String
    let state: DemoState
    /// The server's address for the banner (known once the demo has found the server healthy).
    var publicURL: String { api.server.url ?? "http://\(api.server.host)" }
    let logger: Logger
    let output: @Sendable (String) -> Void

    /// The demo app name, looked up again on restart.
    public static let appName = "Perch demo"

    /// Creates or reuses the demo app, starts the simulators and points the app's gateways at them.
    /// - Returns: the simulator (a `Service` to run beside the server) and the demo itself.
    public static func prepare(store: any PerchStore, databasePath: String, size: Int, server: DemoServerAddress,
                               logger: Logger, output: @escaping @Sendable (String) -> Void) async throws -> (simulator: PushSimulator, demo: DemoService) {
        let statePath = DemoState.path(databasePath: databasePath)
        var state: DemoState
        if let kept = try DemoState.load(path: statePath), try await store.app(id: kept.appId) != nil {
            state = kept
            if kept.size != size { output("demo: reusing the population of \(kept.size) installations already in \(databasePath)") }
        } else {
            let created = try await store.createApp(name: appName, bundleId: "com.example.perch", webOrigin: "https://shop.example.com", now: Date())
            state = DemoState(appId: created.app.id, secretKey: created.secretKey.value, publishableKey: created.publishableKey.value,
                              seed: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString(),
                              populationSeed: UInt64.random(in: 0...UInt64.max), size: size, seeded: false)
            try state.save(path: statePath)
        }

        let simulator = try await startSimulator(ports: state.ports, size: state.size, logger: logger, output: output)
        guard let endpoints = simulator.endpoints else { throw PerchError(.internalError, "the simulator did not start") }
        state.ports = try DemoState.Ports(apns: port(endpoints.apnsURL), apnsSandbox: port(endpoints.apnsSandboxURL),
                                          fcm: port(endpoints.fcmURL), webPush: port(endpoints.webPushURL))
        try state.save(path: statePath)
        try await DemoGateways.connect(store: store, appId: state.appId, endpoints: endpoints, host: simulator.configuration.host, now: Date())

        guard let seed = Data(base64Encoded: state.seed), let app = try await store.app(id: state.appId) else {
            throw PerchError(.internalError, "the demo state file \(statePath) is damaged; delete it and the database to start over")
        }
        let population = DemoPopulation(size: state.size, seed: state.populationSeed)
        let devices = DemoDevices(population: population, material: DemoTokenMaterial(seed: seed), simulator: simulator,
                                  applicationServerKey: Base64URL.decode(app.vapidPublicKey))
        let demo = DemoService(
            store: store, simulator: simulator, population: population, devices: devices,
            api: DemoAPIClient(server: server, secretKey: state.secretKey, publishableKey: state.publishableKey),
            statePath: statePath, state: state, logger: logger, output: output)
        return (simulator, demo)
    }

    /// Starts the simulators on the ports of the previous run when they are free (stored Web Push endpoints
    /// name them), on fresh ports otherwise.
    static func startSimulator(ports: DemoState.Ports?, size: Int, logger: Logger, output: @Sendable (String) -> Void) async throws -> PushSimulator {
        var configuration = SimulatorConfiguration()
        configuration.host = "127.0.0.1"
        configuration.apnsTopic = "com.example.perch"
        // The demo plays the devices from what the simulators accepted (two campaigns reach at most every token once each).
        configuration.receivedHistoryLimit = 2 * size + 100
        configuration.tracksTokens = false
        if let ports {
            configuration.apnsPort = ports.apns
            configuration.apnsSandboxPort = ports.apnsSandbox
            configuration.fcmPort = ports.fcm
            configuration.webPushPort = ports.webPush
            let simulator = PushSimulator(configuration: configuration, logger: logger)
            do {
                try await simulator.start()
                return simulator
            } catch {
                output("demo: the simulator's previous ports are taken (\(error)); stored Web Push endpoints will not reach the new one")
                configuration.apnsPort = 0
                configuration.apnsSandboxPort = 0
                configuration.fcmPort = 0
                configuration.webPushPort = 0
            }
        }
        let simulator = PushSimulator(configuration: configuration, logger: logger)
        try await simulator.start()
        return simulator
    }

    static func port(_ url: String) throws -> Int {
        guard let port = URLComponents(string: url)?.port else { throw PerchError(.internalError, "no port in \(url)") }
        return port
    }

    /// Seeds, sends and reports, then stays up until shutdown; a shutdown signal stops it at any point (what is
    /// written stays written, and the next run picks up from the state file).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await present() }
        } catch {
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            // The server stays up: what was seeded and sent is there to look at, and a restart picks up from the state file.
            output("demo: a step failed (\(error)); Perch keeps serving — restart to let the demo finish")
        }
        try? await gracefulShutdown()
    }

    /// Everything the demo shows, once.
    func present() async throws {
        var state = state
        try await api.waitUntilHealthy(timeout: .seconds(120))
        if !state.seeded {
            let started = ContinuousClock.now
            output("demo: seeding \(population.installations.count) installations of \(population.users.count) users through the registry")
            let hygiene = try await DemoSeeder(store: store, appId: state.appId, progress: { output("demo: seeded \($0)") })
                .seed(population, devices: devices, now: Date())
            output("demo: seeded in \(Self.seconds(ContinuousClock.now - started)); hygiene marked \(hygiene.markedStale) stale and \(hygiene.markedExpired) expired")
            state.seeded = true
            try state.save(path: statePath)
        }
        let campaignId: String
        if let kept = state.campaignId {
            campaignId = kept
            output("demo: the demo campaign was sent by an earlier run")
            _ = try await waitForCompletion(campaignId)
        } else {
            campaignId = try await sendCampaigns(state: &state)
            try await reportFunnel(campaignId: campaignId)
            try await sendLiveActivities()
        }
        try await printSummary(campaignId: campaignId, state: state)
    }

    // MARK: campaigns

    /// A welcome message to Pro users first (so the sale's frequency cap has something to hold back), then the sale.
    func sendCampaigns(state: inout DemoState) async throws -> String {
        let welcome = try await api.call(.POST, "/v1/campaigns", body: Self.json(#"""
            {"name": "Welcome to Pro", "audience": {"filter": "user.plan == \"pro\""},
             "message": {"title": "Welcome to Pro, {{user.firstName | default: \"friend\"}}", "body": "Your new features are ready.",
                         "url": "https://shop.example.com/pro"},
             "devicePolicy": "latest"}
            """#))
        let welcomeId = try Self.id(welcome)
        try await api.call(.POST, "/v1/campaigns/\(welcomeId)/send")
        output("demo: sent \"Welcome to Pro\" (\(welcomeId)) to Pro users")
        _ = try await waitForCompletion(welcomeId)

        let segment = try await api.call(.POST, "/v1/segments", body: ["name": "Seen in the last year", "filter": "lastSeenAt within 365d"])
        let segmentId = try Self.id(segment)
        let sale = try await api.call(.POST, "/v1/campaigns", body: Self.json(#"""
            {"name": "Spring sale", "audience": {"segmentId": "\#(segmentId)"},
             "message": {"title": "{{user.firstName | default: \"Hi there\"}}, the spring sale is on", "body": "30% off everything until Sunday.",
                         "url": "https://shop.example.com/sale", "data": {"promo": "SPRING30"}},
             "variants": [
                {"name": "percent-off", "weight": 1},
                {"name": "free-shipping", "weight": 1,
                 "message": {"title": "{{user.firstName | default: \"Hi there\"}}, shipping is on us", "body": "Free shipping on every order this week.",
                             "url": "https://shop.example.com/sale", "data": {"promo": "SHIPFREE"}}}],
             "holdoutPercent": 10,
             "frequencyCap": [{"limit": 1, "windowSeconds": 86400}],
             "devicePolicy": "latestPerPlatform",
             "ttlSeconds": 86400}
            """#))
        let saleId = try Self.id(sale)
        state.campaignId = saleId
        try state.save(path: statePath)
        let started = ContinuousClock.now
        try await api.call(.POST, "/v1/campaigns/\(saleId)/send")
        output("demo: sent \"Spring sale\" (\(saleId)): 2 variants, 10% holdout, 1 per day per person, latest device per platform")
        let counts = try await waitForCompletion(saleId)
        output("demo: \"Spring sale\" completed in \(Self.seconds(ContinuousClock.now - started)): \(Self.int(counts, "attempted")) attempted, "
               + "\(Self.int(counts, "accepted")) accepted")
        return saleId
    }

    /// Polls `GET /v1/campaigns/{id}` until the campaign completes; answers its counts.
    func waitForCompletion(_ id: String) async throws -> JSONValue {
        var lastReport = ContinuousClock.now
        while true {
            let campaign = try await api.call(.GET, "/v1/campaigns/\(id)")
            let counts = campaign.member("counts") ?? .null
            switch campaign.member("status")?.stringValue {
            case "completed": return counts
            case "cancelled": throw PerchError(.conflict, "the demo campaign \(id) was cancelled")
            case "draft": try await api.call(.POST, "/v1/campaigns/\(id)/send")  // an earlier run stopped between creating and sending it
            default:
                if ContinuousClock.now - lastReport > .seconds(5) {
                    output("demo: sending \(id): \(Self.int(counts, "accepted")) accepted, \(Self.int(counts, "queued")) queued")
                    lastReport = ContinuousClock.now
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }

    // MARK: the funnel

    /// Plays the devices: every push of the campaign the simulators accepted carries its delivery id (and the
    /// variant's promo) in its data; most devices report it `received`, some `opened` (more for free shipping),
    /// a share of those `converted` with a value — each with that delivery id — and organic purchases happen
    /// across the audience, held-out people included, so the report can show lift.
    func reportFunnel(campaignId: String) async throws {
        var random = SeededGenerator(seed: state.populationSeed ^ 0x5EED)
        var events: [JSONValue] = []
        var deliveries = 0
        for platform in Platform.allCases {
            for push in simulator.received(platform: platform) {
                guard let payload = push.jsonObject, Self.find(PushMessage.campaignIdKey, in: payload) == campaignId,
                      let deliveryId = Self.find(PushMessage.deliveryIdKey, in: payload),
                      let index = devices.indexByIdentity[push.token]
                else { continue }
                deliveries += 1
                let base: [String: JSONValue] = ["installationId": .string(population.installations[index].installationId),
                                                 "deliveryId": .string(deliveryId)]
                guard Double.random(in: 0..<1, using: &random) < 0.93 else { continue }
                events.append(.object(base.merging(["type": "received"]) { $1 }))
                let openRate = Self.find("promo", in: payload) == "SHIPFREE" ? 0.16 : 0.11
                guard Double.random(in: 0..<1, using: &random) < openRate else { continue }
                events.append(.object(base.merging(["type": "opened"]) { $1 }))
                guard Double.random(in: 0..<1, using: &random) < 0.3 else { continue }
                let value = (Double.random(in: 12..<140, using: &random) * 100).rounded() / 100
                events.append(.object(base.merging(["type": "converted", "value": .number(value), "currency": "USD"]) { $1 }))
            }
        }
        for installation in population.installations where Double.random(in: 0..<1, using: &random) < 0.02 {
            let value = (Double.random(in: 12..<140, using: &random) * 100).rounded() / 100
            events.append(["type": "converted", "installationId": .string(installation.installationId), "value": .number(value), "currency": "USD"])
        }
        for start in stride(from: 0, to: events.count, by: 1000) {
            try await api.call(.POST, "/v1/events", publishable: true, body: ["events": .array(Array(events[start..<min(events.count, start + 1000)]))])
        }
        output("demo: devices that got one of the \(deliveries) pushes reported \(events.count) events (received, opened, converted) through POST /v1/events")
    }

    /// The string under `key` anywhere in a decoded JSON payload (APNs puts custom keys at the top, FCM under
    /// `message.data`, Perch's Web Push payload under `data`).
    static func find(_ key: String, in object: Any) -> String? {
        if let dictionary = object as? [String: Any] {
            if let value = dictionary[key] as? String { return value }
            for value in dictionary.values { if let found = find(key, in: value) { return found } }
        } else if let array = object as? [Any] {
            for value in array { if let found = find(key, in: value) { return found } }
        }
        return nil
    }

    // MARK: the report

    func printSummary(campaignId: String, state: DemoState) async throws {
        let campaign = try await api.call(.GET, "/v1/campaigns/\(campaignId)")
        let counts = campaign.member("counts") ?? .null
        let suppressed = (counts.member("suppressedByReason")?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.integerValue ?? 0)" }.joined(separator: ", ")
        let failed = (counts.member("failedByReason")?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value.integerValue ?? 0)" }.joined(separator: ", ")
        let examples = try await explainExamples(campaignId: campaignId)
        let lift = try await api.call(.GET, "/v1/campaigns/\(campaignId)/report").member("lift") ?? .null
        func percent(_ key: String) -> String { String(format: "%.1f%%", 100 * (lift.member(key)?.numberValue ?? 0)) }
        let key = state.secretKey
        let tokens = try await tokensByKind()
        var lines = [
            "",
            "Perch demo — \(publicURL)",
            "  app          \(Self.appName) (\(state.appId))",
            "  secret key   \(key)",
            "  population   \(population.installations.count) installations, \(population.users.count) users, "
                + "\(population.installations.filter { $0.userId == nil }.count) anonymous installs",
            "  campaign     \"\(campaign.member("name")?.stringValue ?? "")\" \(campaignId): \(campaign.member("status")?.stringValue ?? "")",
            "    tokens \(Self.int(counts, "tokens"))  attempted \(Self.int(counts, "attempted"))  accepted \(Self.int(counts, "accepted"))  "
                + "retired \(Self.int(counts, "retired"))",
            "    failed       \(failed.isEmpty ? "none" : failed)",
            "    suppressed   \(suppressed)",
            "    funnel       received \(Self.int(counts, "received"))  opened \(Self.int(counts, "opened"))  converted \(Self.int(counts, "converted"))"
                + "  revenue \(String(format: "%.2f", counts.member("revenue")?.numberValue ?? 0))",
            "    lift         converted \(percent("treatmentRate")) of people sent to vs \(percent("holdoutRate")) of the holdout: "
                + (lift.member("reading")?.stringValue ?? ""),
            "  tokens       \(tokens)",
            "",
            "  Look at it (the secret key works for everything of this app):",
            "    SK=\(key)",
            "    curl -s \(publicURL)/v1/campaigns/\(campaignId) -H \"Authorization: Bearer $SK\"          # status and counts",
            "    curl -s \(publicURL)/v1/campaigns/\(campaignId)/report -H \"Authorization: Bearer $SK\"   # funnel, variants, lift",
        ]
        for (installationId, why) in examples {
            lines.append("    curl -s \"\(publicURL)/v1/campaigns/\(campaignId)/explain?installationId=\(installationId)\" -H \"Authorization: Bearer $SK\"   # \(why)")
        }
        lines += [
            "    curl -s \(publicURL)/v1/metrics/tokens -H \"Authorization: Bearer $SK\"",
            "    curl -s \"\(publicURL)/v1/metrics/tokens?kind=liveActivity\" -H \"Authorization: Bearer $SK\"   # Live Activity update tokens",
            "    curl -s \(publicURL)/v1/users/\(population.users.first?.userId ?? "user-000001") -H \"Authorization: Bearer $SK\"",
            "",
        ]
        output(lines.joined(separator: "\n"))
    }

    /// Installations worth an `explain`: one that was sent to, one left out for its other device, one held out.
    func explainExamples(campaignId: String) async throws -> [(installationId: String, why: String)] {
        var wanted: [String: String] = [:]
        for installation in population.installations.prefix(3000) where wanted.count < 3 {
            for delivery in try await store.deliveries(appId: state.appId, campaignId: campaignId, installationId: installation.installationId) {
                let kind = delivery.state == "accepted" ? "accepted" : delivery.reason ?? ""
                if ["accepted", "device_policy", "holdout"].contains(kind), wanted[kind] == nil { wanted[kind] = installation.installationId }
            }
        }
        let why = ["accepted": "sent", "device_policy": "left out: another device of the user", "holdout": "held out"]
        return ["accepted", "device_policy", "holdout"].compactMap { kind in wanted[kind].map { ($0, why[kind] ?? kind) } }
    }

    static func json(_ text: String) throws -> JSONValue {
        guard let value = JSONValue(jsonText: text) else { throw PerchError(.internalError, "a demo request body is not JSON") }
        return value
    }

    static func id(_ answer: JSONValue) throws -> String {
        guard let id = answer.member("id")?.stringValue else { throw PerchError(.internalError, "no id in \(answer.jsonText)") }
        return id
    }

    static func int(_ counts: JSONValue, _ key: String) -> Int { counts.member(key)?.integerValue ?? 0 }

    static func seconds(_ duration: Duration) -> String { String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) }
}
