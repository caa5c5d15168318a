import Foundation
import PerchCore
import PerchStore

/// Hygiene written once for every ``SQLStore``: app by app, so each statement walks the `(app_id, status,
/// last_seen_at)` index (and, on Citus, stays on one shard), each app's three moves in one transaction.
extension HealthStore where Self: SQLStore {
    public func runHygiene(policy: HygienePolicy, now: Date, dryRun: Bool) async throws -> HygieneReport {
        let stale = SQLValue.time(policy.staleCutoff(now: now))
        let expiry = SQLValue.time(policy.expiryCutoff(now: now))
        let at = SQLValue.time(now)
        var report = HygieneReport(dryRun: dryRun)
        for appId in try await rows(SQLStatement("SELECT id FROM apps ORDER BY id"), { try $0.text(required: 0) }) {
            let app = SQLValue.text(appId)
            if dryRun {
                let counts = try await row(SQLStatement("""
                    SELECT COUNT(*) FILTER (WHERE status = 'active' AND last_seen_at < ? AND (expires_at IS NULL OR expires_at > ?)),
                           COUNT(*) FILTER (WHERE last_seen_at < ? OR expires_at <= ?)
                    FROM tokens WHERE app_id = ? AND status IN ('active', 'stale')
                    """, [stale, at, expiry, at, app]), { row in (try row.integer(required: 0), try row.integer(required: 1)) })
                report.markedStale += counts?.0 ?? 0
                report.markedExpired += counts?.1 ?? 0
                continue
            }
            let moved = try await counts([
                // TokenLifecycle's lifetimeEnded: Live Activity update tokens past their activity's end or 12 hours.
                SQLStatement("""
                    UPDATE tokens SET status = 'expired', status_at = ? WHERE app_id = ? AND status IN ('active', 'stale') AND expires_at <= ?
                    RETURNING 1
                    """, [at, app, at]),
                SQLStatement("UPDATE tokens SET status = 'stale', status_at = ? WHERE app_id = ? AND status = 'active' AND last_seen_at < ? RETURNING 1",
                             [at, app, stale]),
                SQLStatement("UPDATE tokens SET status = 'expired', status_at = ? WHERE app_id = ? AND status = 'stale' AND last_seen_at < ? RETURNING 1",
                             [at, app, expiry]),
            ])
            report.markedStale += moved[1]
            report.markedExpired += moved[0] + moved[2]
        }
        return report
    }
}
