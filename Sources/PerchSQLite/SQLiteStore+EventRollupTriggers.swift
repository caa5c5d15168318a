import GRDB
import PerchSQL

extension SQLiteStore {
    /// Follows `rollups`: its triggers on `events` tested the type with an `IN` list, which SQLite evaluates by building a
    /// temporary table every time a trigger fires; these are the same triggers with ``RollupStatements/isEventType(_:)``.
    static func registerEventRollupTriggersMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("event-rollup-triggers") { db in
            for statement in eventRollupTriggers { try db.execute(sql: statement) }
        }
    }

    static var eventRollupTriggers: [String] {
        ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS events_rollup_\($0)" } + createEventRollupTriggers
    }

    /// The rollup triggers on `events` (the `rollups` migration creates them too).
    static var createEventRollupTriggers: [String] {
        typealias R = RollupStatements
        return [
            """
            CREATE TRIGGER events_rollup_insert AFTER INSERT ON events BEGIN
                \(R.countEvent("NEW", sign: 1, .sqlite));
            END
            """,
            """
            CREATE TRIGGER events_rollup_update AFTER UPDATE OF app_id, campaign_id, delivery_id, type, value, occurred_at ON events BEGIN
                \(R.countEvent("OLD", sign: -1, .sqlite));
                \(R.countEvent("NEW", sign: 1, .sqlite));
            END
            """,
            """
            CREATE TRIGGER events_rollup_delete AFTER DELETE ON events BEGIN
                \(R.countEvent("OLD", sign: -1, .sqlite));
            END
            """,
        ]
    }
}
