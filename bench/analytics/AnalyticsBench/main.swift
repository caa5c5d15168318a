// The reports people open most, over a big registry on SQLite: the full campaign report (funnel, variants,
// lift against the holdout, revocations) of a campaign of N deliveries, and the token-health overview
// (counts and rates, growth, survival curves, opt-in) of an app of N tokens. For bench/analytics/run.
// Usage: perch-bench-analytics TOKENS — builds the data through the store's own write paths, then times each
// read twenty times; progress on stderr, one JSON line on stdout. PERCH_BENCH_DATABASE_URL=postgres://… runs it on
// an (empty) PostgreSQL database instead of a fresh SQLite file.
import Foundation
import Logging
import PerchCore
import PerchPostgres
import PerchDelivery
import PerchSQLite
import PerchStore

let tokens = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Double) {
    let started = ContinuousClock.now
    let value = try await body()
    return (value, seconds(ContinuousClock.now - started))
}

var logger = Logger(label: "perch.bench")
logger.logLevel = .error
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-bench-analytics-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { if ProcessInfo.processInfo.environment["PERCH_BENCH_KEEP"] == nil { try? FileManager.default.removeItem(at: folder) } }
note("database: \(folder.path)/bench.sqlite")
let vault = TokenVault(masterKey: try TokenVault.masterKey(from: String(repeating: "a7", count: 32)))
let postgresURL = ProcessInfo.processInfo.environment["PERCH_BENCH_DATABASE_URL"]
let store: any PerchStore
var postgresTask: Task<Void, any Error>?
if let postgresURL {
    let configuration = try PostgresStore.Configuration(url: postgresURL)
    try await PostgresStore.migrate(configuration: configuration, vault: vault, logger: logger)
    let postgres = PostgresStore(configuration: configuration, vault: vault, logger: logger)
    postgresTask = Task { try await postgres.run() }
    store = postgres
    note("database: \(configuration.displayURL)")
} else {
    store = try SQLiteStore(path: folder.appendingPathComponent("bench.sqlite").path, vault: vault, logger: logger)
}
let appId = try await store.createApp(name: "bench", bundleId: "com.example.perch", webOrigin: nil, now: Date()).app.id
let now = Date()
let day = 86_400.0

// 1. Tokens: registered over the last 180 days through `register` (50% APNs, 40% FCM, 10% Web Push; 70% with a
//    user, some users on two devices; 85% consent granted), each with the prompt and its answer as events.
let (_, seeding) = try await timed {
    try await withThrowingTaskGroup(of: Void.self) { group in
        let lanes = 32
        for lane in 0..<lanes {
            group.addTask {
                var events: [ClientEvent] = []
                for index in stride(from: lane, to: tokens, by: lanes) {
                    let draw = index % 10
                    let destination: PushDestination = draw < 5
                        ? .apns(token: "feedbeef" + String(format: "%056x", index), environment: .production)
                        : draw < 9 ? .fcm(token: "bench\(index):APA91b" + String(repeating: "Tk_-Q7", count: 24))
                        : .webPush(endpoint: "https://push.example.com/wpush/v2/sub-\(index)",
                                   p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                                   auth: "tBHItJI5svbpez7KI4CCXg")!
                    let registeredAt = now.addingTimeInterval(-Double(index % 180) * day - Double(index % 977))
                    let installation = "bench-\(index)"
                    _ = try await store.register(appId: appId, TokenRegistration(
                        installationId: installation, destination: destination, userId: index % 10 < 7 ? "user-\(index / 2)" : nil,
                        appVersion: index % 3 == 0 ? "3.1.0" : "3.2.0", timezone: "Europe/Berlin", consent: index % 20 < 17 ? .granted : .denied),
                        now: registeredAt)
                    events.append(ClientEvent(type: .promptShown, installationId: installation, occurredAt: registeredAt,
                                              properties: ["strategy": .string(index % 2 == 0 ? "soft" : "direct")]))
                    if index % 20 < 17 { events.append(ClientEvent(type: .permissionGranted, installationId: installation, occurredAt: registeredAt)) }
                    if events.count >= 500 {
                        _ = try await store.record(appId: appId, events: events, now: now)
                        events.removeAll(keepingCapacity: true)
                    }
                    if index % 100_000 == 0 && index > 0 { note("registered \(index)") }
                }
                _ = try await store.record(appId: appId, events: events, now: now)
            }
        }
        try await group.waitForAll()
    }
}
note("registered \(tokens) tokens in \(Int(seeding)) s")
// Tokens unseen for a while go stale and expire, as in a real registry.
let hygiene = try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: false)
note("hygiene: \(hygiene.markedStale) stale, \(hygiene.markedExpired) expired")

// 2. A campaign to every token (two variants, a 10% holdout), resolved by the real resolver, then every delivery
//    claimed and recorded through the queue (accepted, a few retired), and the devices' receipts, opens and
//    conversions as events naming their delivery.
let definition = CampaignDefinition(
    name: "bench", audience: .init(filter: "lastSeenAt within 365d"),
    message: PushMessage(title: "The sale is on", body: "30% off everything until Sunday."),
    variants: [.init(name: "A", weight: 50, message: PushMessage(title: "The sale is on", body: "30% off")),
               .init(name: "B", weight: 50, message: PushMessage(title: "Sale!", body: "30% off everything"))],
    holdoutPercent: 10, devicePolicy: .all, ttlSeconds: 86_400, includeStale: true)
let campaign = try await store.createCampaign(appId: appId, definition: definition, kind: .campaign, now: now)
_ = try await store.startCampaign(appId: appId, id: campaign.id, startAt: now, now: now)
let (planned, resolving) = try await timed {
    guard let started = try await store.campaign(appId: appId, id: campaign.id) else { fatalError("the campaign is gone") }
    return try await CampaignResolver(store: store, logger: logger).resolve(started, now: now)
}
note("resolved \(planned) deliveries in \(Int(resolving)) s")
var recorded = 0
var ingested = 0, ingesting = 0.0
let (_, sending) = try await timed {
    while true {
        let claimed = try await store.claimDeliveries(limit: 5_000, leaseFor: .seconds(60), now: now.addingTimeInterval(1))
        if claimed.isEmpty { break }
        let updates = claimed.map { delivery in
            delivery.tokenId.hashValue % 40 == 0
                ? DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: .failed(reason: "Unregistered"), outcome: .retired,
                                 reason: DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered"))
                : DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: .accepted(gatewayMessageId: nil), outcome: .accepted, reason: nil)
        }
        try await store.recordDeliveries(updates, now: now.addingTimeInterval(2))
        var events: [ClientEvent] = []
        for (index, delivery) in claimed.enumerated() where index % 10 < 8 {
            let at = now.addingTimeInterval(60 + Double(index % 3_600))
            events.append(ClientEvent(type: .received, installationId: delivery.installationId, deliveryId: delivery.id, occurredAt: at))
            if index % 10 == 0 { events.append(ClientEvent(type: .opened, installationId: delivery.installationId, deliveryId: delivery.id, occurredAt: at)) }
            if index % 50 == 0 {
                events.append(ClientEvent(type: .converted, installationId: delivery.installationId, deliveryId: delivery.id,
                                          value: Double(index % 90 + 10), currency: "EUR", occurredAt: at.addingTimeInterval(600)))
            }
        }
        // Event ingestion as `POST /v1/events` does it: batches of 1,000, attributed and rolled up in one transaction each.
        for chunk in stride(from: 0, to: events.count, by: 1_000) {
            let batch = Array(events[chunk..<min(chunk + 1_000, events.count)])
            let started = ContinuousClock.now
            _ = try await store.record(appId: appId, events: batch, now: now.addingTimeInterval(3))
            ingesting += seconds(ContinuousClock.now - started)
            ingested += batch.count
        }
        recorded += claimed.count
        if recorded % 100_000 < 5_000 { note("recorded \(recorded)") }
    }
}
note("recorded \(recorded) deliveries and their events in \(Int(sending)) s")

// 3. The reads, twenty times each; the median counts. A campaign's status (`GET /v1/campaigns/{id}` and the dashboard's
//    campaign page: its counts), its report (`/report`: the counts and the splits by locale and by day), `GET /v1/metrics/tokens`
//    (token health), and the dashboard's token-health overview (counts, growth, survival, opt-in).
func median(_ runs: [Double]) -> Double { runs.sorted()[runs.count / 2] }
var statusRuns: [Double] = [], reportRuns: [Double] = [], tokenRuns: [Double] = [], healthRuns: [Double] = []
var report: CampaignCounts?
var health: TokenHealth?
var partRuns: [[String: Double]] = []
let readAt = now.addingTimeInterval(7_200)
let overviewRuns = Int(ProcessInfo.processInfo.environment["PERCH_BENCH_OVERVIEW_RUNS"] ?? "") ?? 20
for _ in 0..<20 {
    let (reported, statusTime) = try await timed { try await store.campaignCounts(appId: appId, campaignId: campaign.id, now: readAt) }
    report = reported
    statusRuns.append(statusTime)
    let (_, reportTime) = try await timed {
        guard let record = try await store.campaign(appId: appId, id: campaign.id) else { fatalError("no campaign") }
        _ = try await store.campaignReport(of: record, now: readAt)
    }
    reportRuns.append(reportTime)
    // The overview's four parts one after another, as the dashboard's token-health page asks for them (its curves,
    // still walked from the facts, the first PERCH_BENCH_OVERVIEW_RUNS times only: 20 by default).
    let (overview, countsTime) = try await timed { try await store.tokenHealth(appId: appId, filter: .init()) }
    tokenRuns.append(countsTime)
    health = overview
    guard partRuns.count < overviewRuns else { continue }
    let (_, growthTime) = try await timed { try await store.tokenGrowth(appId: appId, filter: .init(), days: 30, now: now) }
    let (_, survivalTime) = try await timed {
        try await store.tokenSurvival(appId: appId, filter: .init(), weeks: 12, checkpoints: [1, 7, 14, 30, 60, 90], now: now)
    }
    let (_, optInTime) = try await timed { try await store.optInBreakdown(appId: appId, filter: .init(), since: nil, until: nil) }
    partRuns.append(["counts": countsTime, "growth": growthTime, "survival": survivalTime, "optIn": optInTime])
    healthRuns.append(countsTime + growthTime + survivalTime + optInTime)
}
let (verification, verifying) = try await timed { try await store.verifyRollups(repair: false) }
note("verify: \(verification.groupsChecked) groups, \(verification.differences.count) differences in \(Int(verifying)) s")
guard let counts = report else { fatalError("no report") }
note("report: \(counts.attempted) attempted, \(counts.accepted) accepted, \(counts.received) received, \(counts.opened) opened, \(counts.converted) converted")
let result: [String: Any] = [
    "tokens": tokens, "deliveries": counts.tokens, "attempted": counts.attempted, "accepted": counts.accepted, "received": counts.received,
    "opened": counts.opened, "converted": counts.converted, "activeTokens": health?.byStatus["active"] ?? -1,
    "backend": postgresURL == nil ? "sqlite" : "postgres",
    "statusSeconds": median(statusRuns), "reportSeconds": median(reportRuns), "tokenHealthSeconds": median(tokenRuns),
    "healthSeconds": median(healthRuns), "eventsIngested": ingested, "eventsPerSecond": Double(ingested) / max(ingesting, 1e-9),
    "verifySeconds": verifying, "verifyDifferences": verification.differences.count, "healthRuns": healthRuns, "statusRuns": statusRuns,
    "healthParts": ["counts", "growth", "survival", "optIn"].reduce(into: [String: Double]()) { parts, name in
        parts[name] = median(partRuns.map { $0[name] ?? 0 })
    },
    "seedingSeconds": seeding, "resolvingSeconds": resolving, "recordingSeconds": sending,
]
postgresTask?.cancel()
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
