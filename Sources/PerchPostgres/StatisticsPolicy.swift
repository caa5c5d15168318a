/// When a table's planner statistics are too old for its size, so that PostgreSQL should `ANALYZE` it now rather than
/// when autovacuum next looks (at most once a minute, and only after 10% of a table changed).
///
/// The rollup trigger functions run their statements through PL/pgSQL, which plans a statement once per connection and
/// keeps the plan until a table it reads is analyzed again. On a new database those plans are made against empty tables,
/// where every index of `tokens` that starts with `app_id` costs the same: one plan read a whole app's tokens through
/// `tokens_by_created` for each installation a registration wrote, and registrations slowed down as the table grew
/// until autovacuum's first analysis (bench/scale/README.md, session 31). A table is analyzed once it holds
/// ``minimumRows`` and whenever it has grown ``growth`` times since its last analysis: a handful of analyses while a
/// table is young, none once autovacuum's 10% is the nearer threshold.
struct StatisticsPolicy: Sendable, Equatable {
    var minimumRows: Int64 = 200
    var growth: Double = 2

    /// Whether a table with `liveRows` now, which held `rowsAtLastAnalysis` when last analyzed (nil: never, or as
    /// PostgreSQL records it, a negative count), needs an analysis.
    func needsAnalysis(liveRows: Int64, rowsAtLastAnalysis: Double?) -> Bool {
        guard liveRows >= minimumRows else { return false }
        let analyzed = max(rowsAtLastAnalysis ?? 0, 0)
        return Double(liveRows) >= growth * analyzed
    }
}
