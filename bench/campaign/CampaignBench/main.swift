// A campaign to N tokens on SQLite, end to end against the in-process simulators (HTTP/2 + TLS on loopback):
// seeding through the registry, audience resolution alone (candidates + planner), then send → every delivery
// recorded, with peak RSS. For bench/campaign/run.
// Usage: perch-bench-campaign TOKENS [WORKERS] [BATCH] [CONCURRENCY] [LANES] — prints progress on stderr and one JSON line on stdout.
// With PERCH_BENCH_APNS_ENDPOINT (an https URL) and PERCH_BENCH_APNS_CA (its CA certificate, PEM), every token is an
// APNs token and the app's APNs gateway sends there — Debian's nghttpd in its own process (bench/campaign/run --nghttpd),
// so the far end's CPU is not Perch's. nghttpd answers a POST 200 when the path is a file under its htdocs, so with
// PERCH_BENCH_APNS_HTDOCS the bench links `3/device/<token>` there for every token it seeds (symbolic links to one file).
// With PERCH_BENCH_SIMULATOR_CREDENTIALS (the credentials.json of a running `perch simulate`) every token is an APNs token
// and the app's APNs gateway is that simulator's, in its own process (bench/campaign/peer, beside aioapns).
import Foundation
import Logging
import PerchCore
import PerchDemo
import PerchGateways
import PerchDelivery
import PerchSimulator
import PerchSQLite
import PerchStore
import ServiceLifecycle

let arguments = CommandLine.arguments
let tokens = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let workers = arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1
var delivery = DeliveryConfiguration()
if arguments.count > 3, let batch = Int(arguments[3]) { delivery.batchSize = batch }
if arguments.count > 4, let concurrency = Int(arguments[4]) { delivery.concurrency = concurrency }
if arguments.count > 5, let lanes = Int(arguments[5]) { delivery.lanes = lanes }

func peakRSSMebibytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
    return 0
}

func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }

var logger = Logger(label: "perch.bench")
logger.logLevel = .error
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-bench-campaign-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }
let store = try SQLiteStore(path: folder.appendingPathComponent("bench.sqlite").path, vault: TokenVault(masterKey: TokenVault.masterKey(from: (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined())),
                            logger: logger)

// The simulators keep nothing per token (no per-token counters, no history), so memory measures Perch, plus
// the Web Push subscriptions' keys the simulator must hold to decrypt.
var simulatorConfiguration = SimulatorConfiguration()
simulatorConfiguration.tracksTokens = false
simulatorConfiguration.receivedHistoryLimit = 0
simulatorConfiguration.apnsTopic = "com.example.perch"
let simulator = PushSimulator(configuration: simulatorConfiguration, logger: logger)
let endpoints = try await simulator.start()
let app = try await store.createApp(name: "bench", bundleId: "com.example.perch", webOrigin: nil, now: Date())
let appId = app.app.id
try await DemoGateways.connect(store: store, appId: appId, endpoints: endpoints, host: "127.0.0.1", now: Date())
let applicationServerKey = Base64URL.decode(app.app.vapidPublicKey)
let environment = ProcessInfo.processInfo.environment
let externalAPNs: (endpoint: String, caCertificatePEM: String)? = try environment["PERCH_BENCH_APNS_ENDPOINT"].map { endpoint in
    (endpoint, try String(contentsOfFile: environment["PERCH_BENCH_APNS_CA"] ?? "", encoding: .utf8))
}
let htdocs = environment["PERCH_BENCH_APNS_HTDOCS"].map { URL(fileURLWithPath: $0) }
if let htdocs {
    try FileManager.default.createDirectory(at: htdocs.appendingPathComponent("3/device"), withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: htdocs.appendingPathComponent("accepted"))
}
/// The settings of the app's APNs gateway when it sends outside this process: nghttpd's address with the in-process
/// simulator's key (nghttpd checks none), or everything from a running `perch simulate`'s credentials.json.
let externalSettings: [String: JSONValue]? = try {
    if let path = environment["PERCH_BENCH_SIMULATOR_CREDENTIALS"] {
        guard case .object(let credentials)? = JSONValue(jsonText: try String(contentsOfFile: path, encoding: .utf8)),
              case .object(let apns)? = credentials["apns"] else { fatalError("\(path) has no apns credentials") }
        return apns
    }
    return externalAPNs.map { externalAPNs in
        ["teamId": .string(endpoints.apns.teamId), "keyId": .string(endpoints.apns.keyId), "privateKey": .string(endpoints.apns.privateKeyPEM),
         "topic": .string(endpoints.apns.topic), "environment": "production", "endpoint": .string(externalAPNs.endpoint),
         "caCertificate": .string(externalAPNs.caCertificatePEM)]
    }
}()
if let externalSettings {
    try await store.setGateway(appId: appId, settings: try GatewaySettingsRules.validate(platform: .apns, body: externalSettings, now: Date(),
                                                                                         allowedHosts: GatewayHostAllowList(entries: [.init(host: "127.0.0.1")])))
}

// Seeding: every token through `register` (sealed, blind-indexed, group-committed), 45% APNs, 40% FCM, 15% Web Push;
// 70% of installations belong to users of one to three devices; consent granted.
let material = DemoTokenMaterial(seed: Data((0..<32).map { _ in UInt8.random(in: 0...255) }))
let seedingStarted = ContinuousClock.now
let now = Date()
try await withThrowingTaskGroup(of: Void.self) { group in
    let lanes = 64
    for lane in 0..<lanes {
        group.addTask {
            var index = lane
            while index < tokens {
                let draw = index % 20
                let destination: PushDestination
                if draw < 9 || externalSettings != nil {
                    let token = material.apnsToken(index)
                    destination = .apns(token: token, environment: .production)
                    if let htdocs {
                        try FileManager.default.createSymbolicLink(at: htdocs.appendingPathComponent("3/device/" + token),
                                                                   withDestinationURL: htdocs.appendingPathComponent("accepted"))
                    }
                } else if draw < 17 {
                    destination = .fcm(token: material.fcmToken(index))
                } else {
                    let info = simulator.newWebPushSubscription(applicationServerKey: applicationServerKey)
                    destination = .webPush(endpoint: info.endpoint, p256dh: info.p256dh, auth: info.auth)!
                }
                let userId = index % 10 < 7 ? "user-\(index / 2)" : nil
                _ = try await store.register(appId: appId, TokenRegistration(
                    installationId: "bench-\(index)", destination: destination, userId: userId, appVersion: "3.2.0", locale: "en-US",
                    timezone: "Europe/Berlin", consent: .granted), now: now)
                if index % 100_000 == 0 && index > 0 { note("seeded \(index)") }
                index += lanes
            }
        }
    }
    try await group.waitForAll()
}
let seeding = seconds(ContinuousClock.now - seedingStarted)
note("seeded \(tokens) tokens in \(String(format: "%.1f", seeding)) s")

// Resolution alone: a dry run of the campaign, the path a send resolves by (the audience read one slice of people at a
// time, the planner's decision per token, nothing written).
let definition = CampaignDefinition(
    name: "bench", audience: .init(filter: "lastSeenAt within 30d"),
    message: PushMessage(title: "{{user.firstName | default: \"Hi\"}}, the sale is on", body: "30% off everything until Sunday.",
                         data: ["promo": "SPRING30"]),
    holdoutPercent: 0, devicePolicy: .all, ttlSeconds: 86_400)
let campaign = try await store.createCampaign(appId: appId, definition: definition, kind: .campaign, now: Date())
let resolutionStarted = ContinuousClock.now
let dryRun = try await CampaignResolver(store: store, logger: logger).dryRun(campaign, now: Date())
let resolution = seconds(ContinuousClock.now - resolutionStarted)
precondition(dryRun.tokens == tokens, "resolution found \(dryRun.tokens) of \(tokens) tokens")
note("resolved \(tokens) tokens in \(String(format: "%.2f", resolution)) s (a dry run)")
let rssAfterResolution = peakRSSMebibytes()

// Send: start the campaign and run the scheduler and workers until every delivery is recorded.
let gateways = PushGateways(logger: logger)
let directory = GatewayDirectory(store: store, gateways: gateways, allowedHosts: GatewayHostAllowList(entries: [.init(host: "127.0.0.1")]))  // the simulators
var services: [any Service] = [gateways, CampaignScheduler(store: store, clock: ContinuousClock(), interval: .milliseconds(20), logger: logger)]
for _ in 0..<workers {
    services.append(DeliveryWorker(store: store, gateways: directory, configuration: delivery, clock: ContinuousClock(), logger: logger))
}
let group = ServiceGroup(services: services, logger: logger)
let running = Task { try await group.run() }
let sendStarted = ContinuousClock.now
_ = try await store.startCampaign(appId: appId, id: campaign.id, startAt: Date(), now: Date())
var lastNote = ContinuousClock.now
/// When the whole audience was in the queue (the campaign's `resolvedAt` set): resolution and enqueueing, seen by polling.
var enqueued: Double?
/// How many deliveries had been attempted then.
var recordedWhenEnqueued = 0
while let record = try await store.campaign(appId: appId, id: campaign.id), record.status != .completed {
    if enqueued == nil, record.resolvedAt != nil {
        enqueued = seconds(ContinuousClock.now - sendStarted)
        // One read of the rollups (a few rows at any size), not a poll: the rate of the sends after resolution.
        recordedWhenEnqueued = try await store.campaignCounts(appId: appId, campaignId: campaign.id, now: Date()).attempted
    }
    try await Task.sleep(for: .milliseconds(50))
    if ContinuousClock.now - lastNote > .seconds(10) {
        lastNote = ContinuousClock.now
        let accepted = Platform.allCases.map { simulator.counters(platform: $0).accepted }.reduce(0, +)
        note(externalSettings == nil ? "sending: \(accepted) accepted by the simulators after \(Int(seconds(lastNote - sendStarted))) s"
                                     : "sending outside the process: \(Int(seconds(lastNote - sendStarted))) s")
    }
}
let sending = seconds(ContinuousClock.now - sendStarted)
await group.triggerGracefulShutdown()
_ = try? await running.value
let counts = try await store.campaignCounts(appId: appId, campaignId: campaign.id, now: Date())
let simulatorAccepted = Platform.allCases.map { simulator.counters(platform: $0).accepted }.reduce(0, +)
try await simulator.shutdown()

let result: [String: Any] = [
    "tokens": tokens, "workers": workers, "batch": delivery.batchSize, "concurrency": delivery.concurrency, "lanes": delivery.lanes,
    "seedingSeconds": seeding, "registrationsPerSecond": Double(tokens) / seeding,
    "resolutionSeconds": resolution, "resolutionTokensPerSecond": Double(tokens) / resolution,
    "sendSeconds": sending, "enqueuedSeconds": enqueued ?? sending, "deliveriesPerSecond": Double(counts.tokens) / sending,
    "afterEnqueuedPerSecond": Double(counts.attempted - recordedWhenEnqueued) / max(0.001, sending - (enqueued ?? sending)),
    "deliveries": counts.tokens, "accepted": counts.accepted, "failed": counts.failedByReason.values.reduce(0, +),
    "simulatorAccepted": simulatorAccepted, "target": environment["PERCH_BENCH_SIMULATOR_CREDENTIALS"] != nil ? "perch simulate" : externalAPNs == nil ? "simulators" : "nghttpd",
    "peakRSSMiB": peakRSSMebibytes(), "peakRSSAfterResolutionMiB": rssAfterResolution,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
