import Foundation
import PerchCore
@testable import PerchPostgres
import PerchTestSupport
import PostgresNIO
import Testing

@Suite("Rollup triggers of statements that changed nothing")
struct EmptyStatementGuardTests {
    @Test("after the migrations every rollup trigger function first returns when its statement changed no row")
    func everyFunctionGuarded() async throws {
        let running = try await TestPostgres.fresh(vault: TokenVault(masterKey: try TokenVault.masterKey(from: String(repeating: "42", count: 32))))
        var guarded = 0
        for row in try await running.store.client.query("""
            SELECT proname::text, prosrc FROM pg_proc WHERE prorettype = 'trigger'::regtype AND pronamespace = current_schema()::regnamespace
            """).collect() {
            let (name, body) = try row.decode((String, String).self)
            let lines = body.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(lines.count > 2 && lines[0] == "BEGIN", "\(name)")
            let rows = body.contains("new_rows") ? "new_rows" : "old_rows"
            #expect(lines.count > 2 && lines[1] == "IF NOT EXISTS (SELECT 1 FROM \(rows)) THEN RETURN NULL; END IF;", "\(name)")
            guarded += 1
        }
        #expect(guarded >= 55)
    }
}
