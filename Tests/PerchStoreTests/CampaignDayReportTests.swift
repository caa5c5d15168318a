import Foundation
import Testing
import PerchCore
import PerchSQL
import PerchTestSupport
import PostgresNIO
@testable import PerchPostgres
@testable import PerchSQLite
@testable import PerchStore

/// The report's `byDay` on a small campaign with answers worked out by hand: a delivery counts on the UTC day it was
/// queued, an event on the day it occurred, a converter on the day of their first conversion.
@Suite("Campaign report by day")
struct CampaignDayReportTests {
    /// 2027-01-15 08:00 UTC: day 20,833 since 1970.
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400
    let firstDay = 20_833
    var now: Date { t0 + 2 * day + 60 }

    @Test("deliveries on the day they were queued, events and first conversions on the day they occurred", arguments: StoreBackend.allCases)
    func byDay(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let (app, campaign) = try await sendAndRecord(on: opened.store)
        try await expectDays(on: opened.store, app: app, campaign: campaign)
        let record = try #require(try await opened.store.campaign(appId: app, id: campaign))
        let facts = if let sqlite = opened.sqlite {
            try await CampaignDayQuery.counts(of: record, on: sqlite, now: now)
        } else {
            try await CampaignDayQuery.counts(of: record, on: try #require(opened.postgres?.store), now: now)
        }
        #expect(facts == (try await opened.store.campaignReport(of: record, now: now).byDay), "the rollups answer what the facts do")
    }

    @Test("a database kept before deliveries were rolled up per day is split by day when it is migrated", arguments: StoreBackend.allCases)
    func upgrade(backend: StoreBackend) async throws {
        let vault = TestVault.vault
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("perch-upgrade-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let (app, campaign) = try await sendAndRecord(on: try SQLiteStore(path: path, vault: vault, migratingUpTo: "conversion-rollups"))
            let upgraded = try SQLiteStore(path: path, vault: vault)
            try await expectDays(on: upgraded, app: app, campaign: campaign)
            #expect(try await upgraded.verifyRollups(repair: false).differences.isEmpty)
        case .postgres:
            let running = try await TestPostgres.open(database: try await TestPostgres.createDatabase(), vault: vault)
            try await running.store.migrate(upTo: 12)
            // Today's claim needs the function of migration 16 (it replaces itself when the migrations run on).
            for statement in PostgresStore.dueDeliveriesMigration.statements {
                try await running.store.client.query(PostgresQuery(unsafeSQL: statement))
            }
            let (app, campaign) = try await sendAndRecord(on: running.store)
            try await running.store.migrate()
            #expect(try await running.store.appliedMigrations().contains(13))
            try await expectDays(on: running.store, app: app, campaign: campaign)
            #expect(try await running.store.verifyRollups(repair: false).differences.isEmpty)
        }
    }

    /// Four tokens: three queued on the first day, the fourth the next (a second occurrence); two accepted the first
    /// day, two failed the second. One installation opens on the first day and again the next, and converts the next
    /// day (10) and the day after (5).
    func sendAndRecord(on store: some PerchStore) async throws -> (app: String, campaign: String) {
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: t0 - day).app.id
        for seed in 0..<4 { _ = try await store.register(appId: app, Sample.registration(Sample.apns(seed), installation: "i\(seed)"), now: t0 - day) }
        let definition = CampaignDefinition(name: "daily", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"),
                                            attributionWindowDays: 3)
        let (campaign, planned) = try await Sample.startedCampaign(definition, app: app, on: store, at: t0)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: Array(planned.prefix(3)), timeToLive: 3 * day,
                                finished: false, now: t0)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "next", planned: Array(planned.suffix(1)), timeToLive: 3 * day,
                                finished: true, now: t0 + day)
        let first = try await store.claimDeliveries(limit: 2, leaseFor: .seconds(60), now: t0 + 60)
        try await store.recordDeliveries(first.map {
            DeliveryUpdate(id: $0.id, campaignId: $0.campaignId, state: .accepted(gatewayMessageId: "m"), outcome: .accepted, reason: nil)
        }, now: t0 + 60)
        let rest = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(60), now: t0 + day + 60)
        #expect(first.count == 2 && rest.count == 2)
        let bad = DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken")
        try await store.recordDeliveries(rest.map {
            DeliveryUpdate(id: $0.id, campaignId: $0.campaignId, state: .failed(reason: "BadDeviceToken"), outcome: .failed, reason: bad)
        }, now: t0 + day + 60)
        let delivery = try #require(first.first)
        func event(_ type: EventType, at: Date, value: Double? = nil) -> ClientEvent {
            ClientEvent(type: type, installationId: delivery.installationId, campaignId: nil, deliveryId: delivery.id, value: value, occurredAt: at)
        }
        _ = try await store.record(appId: app, events: [
            event(.opened, at: t0 + 120), event(.opened, at: t0 + day + 120),
            event(.converted, at: t0 + day + 180, value: 10), event(.converted, at: t0 + 2 * day, value: 5),
        ], now: t0 + 2 * day)
        return (app, campaign.id)
    }

    func expectDays(on store: some PerchStore, app: String, campaign: String) async throws {
        let report = try await store.campaignReport(of: try #require(try await store.campaign(appId: app, id: campaign)), now: now)
        let byDay = report.byDay
        #expect(byDay.keys.sorted() == [firstDay, firstDay + 1, firstDay + 2])
        let d0 = try #require(byDay[firstDay]), d1 = try #require(byDay[firstDay + 1]), d2 = try #require(byDay[firstDay + 2])
        #expect(d0.tokens == 3 && d0.attempted == 3 && d0.accepted == 2 && d0.failedByReason == ["BadDeviceToken": 1] && d0.opened == 1)
        #expect(d0.converted == 0 && d0.treatment.converted == 0)
        #expect(d1.tokens == 1 && d1.attempted == 1 && d1.accepted == 0 && d1.failedByReason == ["BadDeviceToken": 1] && d1.opened == 1)
        #expect(d1.converted == 1 && d1.revenue == 10 && d1.treatment.converted == 1 && d1.treatment.revenue == 10)
        #expect(d2.tokens == 0 && d2.converted == 1 && d2.revenue == 5 && d2.treatment.converted == 0 && d2.treatment.revenue == 5)
        // The days add up to the campaign.
        let whole = try await store.campaignCounts(appId: app, campaignId: campaign, now: now)
        #expect(report.counts == whole)
        #expect(whole.tokens == 4 && whole.opened == 2 && whole.converted == 2 && whole.revenue == 15 && whole.treatment.converted == 1)
    }
}
