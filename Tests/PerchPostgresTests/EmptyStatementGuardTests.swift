import Foundation
import Logging
import PerchCore
@testable import PerchPostgres
import PerchTestSupport
import PostgresNIO
import Testing

/// A statement-level trigger fires even when its statement changed no row. Each rollup trigger function of a migrated
/// database returns before it reads or writes anything else then; seen from outside: while another session holds every
/// other table locked, a statement that changes no row still completes at once.
@Suite("Rollup triggers of statements that changed nothing")
struct EmptyStatementGuardTests {
    let logger = Logger(label: "test")

    @Test("an insert, update or delete that changes no row touches no table but its own, on every table with rollup triggers")
    func emptyStatementsTouchNothingElse() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let client = running.store.client
        let tables = try await triggeredTables(client)
        #expect(tables.count >= 8, "the tables whose rollups are kept by triggers: \(tables.map(\.table))")
        for (table, column) in tables {
            for statement in emptyStatements(table: table, column: column) {
                await #expect(throws: Never.self, "\(statement)") {
                    try await run(statement, whileOtherTablesAreLockedThan: table, client)
                }
            }
        }
    }

    @Test("without its guard the same empty statement waits for the tables its triggers write (the check can fail)")
    func unguardedFunctionsReachOtherTables() async throws {
        let running = try await TestPostgres.fresh(vault: TestVault.vault)
        let client = running.store.client
        try await client.query("""
            DO $strip$
            DECLARE f record;
            BEGIN
                FOR f IN SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                    WHERE t.tgrelid = 'deliveries'::regclass AND p.proname LIKE 'perch\\_%'
                LOOP
                    EXECUTE format('CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS %L', f.proname,
                        regexp_replace(f.prosrc, 'IF NOT EXISTS \\(SELECT 1 FROM (new|old)_rows\\) THEN RETURN NULL; END IF;', ''));
                END LOOP;
            END
            $strip$
            """)
        let error = await #expect(throws: PSQLError.self) {
            try await run("UPDATE deliveries SET state = state WHERE false", whileOtherTablesAreLockedThan: "deliveries", client, waiting: "200ms")
        }
        #expect(error?.serverInfo?[.sqlState] == "55P03", "lock_not_available")
    }

    /// The tables of the current schema with a `perch_` trigger, each with a column an insert may name.
    func triggeredTables(_ client: PostgresClient) async throws -> [(table: String, column: String)] {
        try await client.query("""
            SELECT DISTINCT c.relname::text, (SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity = '' ORDER BY a.attnum LIMIT 1)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace AND p.proname LIKE 'perch\\_%'
            ORDER BY 1
            """).collect().map { try $0.decode((String, String).self) }.map { (table: $0.0, column: $0.1) }
    }

    func emptyStatements(table: String, column: String) -> [String] {
        [
            "INSERT INTO \(table) (\(column)) SELECT \(column) FROM \(table) WHERE false",
            "UPDATE \(table) SET \(column) = \(column) WHERE false",
            "DELETE FROM \(table) WHERE false",
        ]
    }

    /// Runs `statement` (and rolls it back) while a second session holds every other table of the schema in
    /// `ACCESS EXCLUSIVE` mode; it fails with `lock_not_available` when it needed one of them for longer than `waiting`.
    func run(_ statement: String, whileOtherTablesAreLockedThan table: String, _ client: PostgresClient, waiting: String = "5s") async throws {
        try await client.withConnection { holder in
            try await holder.run("BEGIN", logger: logger)
            let others = try await holder.rows(PostgresQuery(unsafeSQL: """
                SELECT string_agg(quote_ident(relname), ', ') FROM pg_class
                WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND relname <> '\(table)'
                """), logger: logger)[0].decode(String.self)
            try await holder.run(PostgresQuery(unsafeSQL: "LOCK TABLE \(others) IN ACCESS EXCLUSIVE MODE"), logger: logger)
            do {
                try await client.withConnection { db in
                    try await db.run("BEGIN", logger: logger)
                    do {
                        try await db.run(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = '\(waiting)'"), logger: logger)
                        try await db.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                        try await db.run("ROLLBACK", logger: logger)
                    } catch {
                        try? await db.run("ROLLBACK", logger: logger)
                        throw error
                    }
                }
                try await holder.run("ROLLBACK", logger: logger)
            } catch {
                try? await holder.run("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}
