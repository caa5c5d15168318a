import PerchSQL

extension PostgresStore {
    /// `deliveries_open` indexed every queued delivery by campaign so that completing a campaign could ask whether any
    /// was left. Every update of a delivery row is a new version that every index whose predicate holds takes an entry
    /// for, so it cost an index insertion on every enqueue and every claim — index insertion was 38% of PostgreSQL's CPU
    /// in a campaign (bench/scale/README.md, session 34). The campaign's rollup groups answer the same question
    /// (``RollupStatements/hasDeliveries(app:campaign:in:)``), kept in the same transaction by the same writes.
    static let completionFromRollupsMigration = Migration(version: 20, name: "completion-from-rollups", statements: [
        "DROP INDEX deliveries_open",
    ])
}
