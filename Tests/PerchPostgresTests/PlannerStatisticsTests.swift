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

    @Test("registrations on a new database: the keeper analyzes the tables they filled, and nothing again until they grow")
    func analyzesGrownTables() async throws {
        let running = try await TestPostgres.fresh(vault: TokenVault(masterKey: try TokenVault.masterKey(from: String(repeating: "42", count: 32))))
        let store = running.store
        for table in ["tokens", "installations"] {
            // Autovacuum must not analyze first: this test watches the keeper alone.
            try await store.client.query(PostgresQuery(unsafeSQL: "ALTER TABLE \(table) SET (autovacuum_enabled = false)"))
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let app = try await store.createApp(name: "Stats", bundleId: "com.example.stats", webOrigin: nil, now: now).app.id
        for k in 0..<250 {
            let token = "c0ffee42" + String(format: "%056x", k)
            _ = try await store.register(appId: app, TokenRegistration(installationId: "i-\(k)", destination: .apns(token: token, environment: .production),
                                                                       consent: .granted), now: now)
        }
        let keeper = StatisticsKeeper(client: store.client, policy: policy, interval: .seconds(1), clock: ContinuousClock(), logger: store.logger)
        // The statistics reach pg_stat_user_tables when the writing connections report them (at most a second later).
        var analyzed: [String] = []
        for _ in 0..<50 where !analyzed.contains("tokens") {
            analyzed += try await keeper.analyzeOnce()
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(analyzed.contains("tokens") && analyzed.contains("installations"))
        let rows = try await store.client.query("SELECT reltuples::float8 FROM pg_class WHERE relname = 'tokens'").collect()[0].decode(Double.self)
        #expect(rows == 250)
        #expect(try await keeper.analyzeOnce().filter { ["tokens", "installations"].contains($0) }.isEmpty)
    }
}
