import Logging
import PostgresNIO
import ServiceLifecycle

/// Keeps the planner statistics of Perch's tables as current as ``StatisticsPolicy`` asks, looking every `interval`:
/// part of ``PostgresStore/run()`` in every process. One process analyzes at a time (a transaction-scoped advisory
/// lock); the others skip that look. Failures are logged and the next look tries again.
struct StatisticsKeeper<C: Clock>: Service where C.Duration == Duration {
    let store: PostgresStore
    let policy: StatisticsPolicy
    let interval: Duration
    let clock: C
    var logger: Logger { store.logger }

    func run() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let analyzed = try await analyzeOnce()
                if !analyzed.isEmpty { logger.debug("analyzed tables", metadata: ["tables": "\(analyzed.joined(separator: ","))"]) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("updating planner statistics failed", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Analyzes the tables of the current schema that ``StatisticsPolicy`` picks, unless another process is analyzing:
    /// answers the tables analyzed.
    @discardableResult
    func analyzeOnce() async throws -> [String] {
        let due = try await store.client.withConnection { db in
            var due: [String] = []
            for row in try await db.rows("""
                SELECT s.relname::text, s.n_live_tup, c.reltuples::float8 FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                WHERE s.schemaname = current_schema() ORDER BY s.relname
                """, logger: logger) {
                let (table, live, analyzed) = try row.decode((String, Int64, Double).self)
                if policy.needsAnalysis(liveRows: live, rowsAtLastAnalysis: analyzed) { due.append(table) }
            }
            return due
        }
        guard !due.isEmpty else { return [] }
        return try await store.transaction { db in
            let locked = try await db.rows("SELECT pg_try_advisory_xact_lock(hashtextextended('perch.analyze', 0))", logger: logger)[0]
                .decode(Bool.self)
            guard locked else { return [] }
            let names = due.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ", ")
            try await db.run(PostgresQuery(unsafeSQL: "ANALYZE \(names)"), logger: logger)
            return due
        }
    }
}
