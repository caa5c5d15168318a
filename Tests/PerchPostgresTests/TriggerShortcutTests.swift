import Foundation
import PerchCore
@testable import PerchPostgres
import PerchSQL
import PerchTestSupport
import PostgresNIO
import Testing

/// Migrations 17 and 18 rewrite trigger functions of earlier migrations by replacing a statement they find in them;
/// their behaviour is held by known-answer tests (`LateJoinerConversionTests`, `WithdrawalOrderTests`), which pass with
/// or without the shortcut. This holds that a migrated database has the shortcuts, so a change to the statements they
/// look for cannot drop them silently.
@Suite("Trigger shortcuts of migrations 17 and 18")
struct TriggerShortcutTests {
    @Test("deliveries' insert and update functions ask for withdrawal facts once per app; campaign people's insert asks for conversions once per campaign")
    func shortcutsPresent() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        var bodies: [String: String] = [:]
        for row in try await running.store.client.query("""
            SELECT proname::text, prosrc FROM pg_proc WHERE pronamespace = current_schema()::regnamespace
            AND proname IN ('perch_rollup_deliveries_inserted', 'perch_rollup_deliveries_updated', 'perch_conversions_people_inserted')
            """).collect() {
            let (name, body) = try row.decode((String, String).self)
            bodies[name] = body
        }
        let withdrawals = RollupStatements.anyWithdrawalFacts(from: "new_rows d")
        #expect(bodies["perch_rollup_deliveries_inserted"]?.contains("IF EXISTS (\(withdrawals)) THEN INSERT INTO campaign_withdrawals") == true)
        #expect(bodies["perch_rollup_deliveries_updated"]?.contains("IF EXISTS (\(withdrawals)) THEN INSERT INTO campaign_withdrawals") == true)
        #expect(bodies["perch_conversions_people_inserted"]?.contains("SELECT 1 FROM (SELECT DISTINCT app_id, campaign_id FROM new_rows) AS x") == true)
    }
}
