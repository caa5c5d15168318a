import Foundation
import PerchCore
@testable import PerchPostgres
import PerchTestSupport
import PostgresNIO
import Testing

@Suite("Planner statistics kept current as tables grow")
struct PlannerStatisticsTests {
    let policy = StatisticsPolicy()

    @Test("a young table is analyzed once it holds 200 rows, then each time it has doubled since its last analysis")
    func policyRule() {
        #expect(!policy.needsAnalysis(liveRows: 199, rowsAtLastAnalysis: nil))
        #expect(policy.needsAnalysis(liveRows: 200, rowsAtLastAnalysis: nil))
        // PostgreSQL records a table never analyzed as -1 rows.
        #expect(policy.needsAnalysis(liveRows: 200, rowsAtLastAnalysis: -1))
        #expect(!policy.needsAnalysis(liveRows: 399, rowsAtLastAnalysis: 200))
        #expect(policy.needsAnalysis(liveRows: 400, rowsAtLastAnalysis: 200))
        #expect(!policy.needsAnalysis(liveRows: 1_500_000, rowsAtLastAnalysis: 1_000_000))
        // A table that shrank is left to autovacuum.
        #expect(!policy.needsAnalysis(liveRows: 500, rowsAtLastAnalysis: 10_000))
    }

    @Test("registrations on a new database: the running store analyzes the tables they filled; a keeper analyzes a table again once it grew as its policy says")
    func analyzesGrownTables() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let store = running.store
        for table in ["tokens", "installations"] {
            // Autovacuum must not analyze: this test watches the keepers alone.
            try await store.client.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) SET (autovacuum_enabled = false)"))
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let app = try await store.createApp(name: "Stats", bundleId: "com.example.stats", webOrigin: nil, now: now).app.id
        for k in 0..<250 {
            let token = "c0ffee42" + String(format: "%056x", k)
            _ = try await store.register(appId: app, TokenRegistration(installationId: "i-\(k)", destination: .apns(token: token, environment: .production),
                                                                       consent: .granted), now: now)
        }
        func analyzedRows(_ table: String) async throws -> Double {
            try await store.client.query("SELECT reltuples::float8 FROM pg_class WHERE relname = \(table)").collect()[0].decode(Double.self)
        }
        // The store's own keeper looks once a second; the counts reach pg_stat_user_tables when the writers report them.
        var rows = try await analyzedRows("tokens")
        for _ in 0..<100 where rows < 200 {
            try await Task.sleep(for: .milliseconds(100))
            rows = try await analyzedRows("tokens")
        }
        #expect(rows >= 200, "tokens analyzed by the running store")
        #expect(try await analyzedRows("installations") >= 200, "installations analyzed by the running store")

        // Nothing has doubled since: the default policy analyzes neither again. A policy that asks for 1% growth does,
        // once the table holds more rows than at its last analysis.
        let keeper = { (policy: StatisticsPolicy) in
            StatisticsKeeper(store: store, policy: policy, interval: .seconds(1), clock: ContinuousClock())
        }
        #expect(try await keeper(policy).analyzeOnce().filter { ["tokens", "installations"].contains($0) }.isEmpty)
        if rows < 250 {
            var analyzed: [String] = []
            for _ in 0..<50 where !analyzed.contains("tokens") {
                analyzed += try await keeper(StatisticsPolicy(minimumRows: 200, growth: 1.01)).analyzeOnce()
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(analyzed.contains("tokens"))
        }
        #expect(try await analyzedRows("tokens") == 250)
    }
}
