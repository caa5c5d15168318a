import Foundation
import PerchCore
@testable import PerchPostgres
import PerchTestSupport
import PostgresNIO
import Testing

/// A claim's update reaches its rows through `deliveries`' key at any size of the table and whatever its statistics
/// say (schema migration 19). The planner's choice is what is held here; `DeliveryQueueStoreTests` hold what a claim does.
@Suite("A claim's plan")
struct ClaimPlanTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a claim updates its due rows through deliveries' key, not by reading the whole table into a hash; with PostgreSQL's default estimate for a function it did")
    func claimThroughTheKey() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let store = running.store
        let app = try await store.createApp(name: "Plan", bundleId: "com.example.plan", webOrigin: nil, now: t0).app.id
        for index in 0..<400 {
            let token = "c0ffee42" + String(format: "%056x", index)
            _ = try await store.register(appId: app, TokenRegistration(installationId: "i-\(index)", destination: .apns(token: token, environment: .production),
                                                                       consent: .granted), now: t0)
        }
        let definition = CampaignDefinition(name: "plan", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"))
        let campaign = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: t0)
        _ = try await store.startCampaign(appId: app, id: campaign.id, startAt: t0, now: t0)
        let candidates = try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"apns\"")), now: t0)
        let planned = CampaignPlanner(campaignId: campaign.id, definition: definition).plan(candidates, history: .init(), start: t0)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: t0)
        try await store.client.query("ANALYZE deliveries")

        func plan() async throws -> String {
            let claim = ClaimStatement(at: t0.timeIntervalSince1970 + 1, limit: 256, leaseUntil: t0.timeIntervalSince1970 + 31)
            return try await store.client.query(PostgresQuery(unsafeSQL: "EXPLAIN " + ClaimStatement.sql, binds: try claim.makeBindings())).collect()
                .map { try $0.decode(String.self) }.joined(separator: "\n")
        }
        let claim = try await plan()
        #expect(claim.contains("Index Scan using deliveries_pkey on deliveries d"), "\(claim)")
        #expect(!claim.contains("Seq Scan on deliveries"), "\(claim)")

        try await store.client.query("ALTER FUNCTION perch_due_deliveries(double precision, bigint) ROWS 1000")
        let before = try await plan()
        #expect(before.contains("Seq Scan on deliveries"), "expecting 1,000 due rows, the planner hashed the whole table: \(before)")
    }
}
