import PerchSQL

extension PostgresStore {
    /// A claim updates its rows through `deliveries`' key, whatever the statistics say: `perch_due_deliveries` declares
    /// the one row a planner should expect of it rather than PostgreSQL's default of 1,000 for a function.
    ///
    /// With 1,000 due rows expected, 1,000 probes of the key cost more than reading the whole table into a hash, so while
    /// a campaign was being resolved (a table of fewer than about 70,000 rows, or statistics from when it was) every claim
    /// read every delivery — 15 to 28 ms of each claim of 256 at 20,000 to 70,000 rows, the first third of a 100,000-token
    /// campaign's claims (`auto_explain`, bench/scale/README.md, session 34). A claim asks for at most a batch, and a
    /// probe of the key for each of its rows is the right plan at any size; expecting one row gives it at any size.
    static let claimPlanMigration = Migration(version: 19, name: "claim-plan", statements: [
        "ALTER FUNCTION perch_due_deliveries(double precision, bigint) ROWS 1",
    ])
}
