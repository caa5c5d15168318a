import GRDB
import PerchSQL

extension SQLiteStore {
    /// Two costs every delivery paid on the writer, gone with the same answers:
    ///
    /// - `deliveries_open` indexed every queued delivery by campaign so that completing a campaign could ask whether any
    ///   was left; every enqueue, claim and record kept it. The campaign's rollup groups answer the same question
    ///   (``RollupStatements/hasDeliveries(app:campaign:in:)``), kept in the same transaction by the same writes.
    /// - `campaign_people_conversions_insert` ran its conversions query and rewrote the new row's `converted_at` for every
    ///   new campaign person; it now runs only for a person who has converted at all
    ///   (``RollupStatements/mayHaveConversions(_:)``).
    ///
    /// Measured on the writer with a 100,000-delivery campaign's rows (bench/campaign/README.md, session 35): about 13 µs
    /// of 88 per delivery for the index, 7 for the trigger.
    static func registerCompletionFromRollupsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("completion-from-rollups") { db in
            try db.execute(sql: "DROP INDEX deliveries_open")
            try db.execute(sql: "DROP TRIGGER campaign_people_conversions_insert")
            try db.execute(sql: peopleConversionsInsertTrigger(when: RollupStatements.mayHaveConversions("NEW")))
        }
    }
}
