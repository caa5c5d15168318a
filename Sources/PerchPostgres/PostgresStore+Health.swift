import Foundation
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: HealthStore {
    public func runHygiene(policy: HygienePolicy, now: Date, dryRun: Bool) async throws -> HygieneReport {
        let staleCutoff = policy.staleCutoff(now: now).timeIntervalSince1970
        let expiryCutoff = policy.expiryCutoff(now: now).timeIntervalSince1970
        let at = now.timeIntervalSince1970
        let logger = self.logger
        // App by app, so each statement walks the (app_id, status, last_seen_at) index and stays on one shard.
        let appIds = try await rows("SELECT id FROM apps ORDER BY id").map { try $0[0].decode(String.self) }
        var report = HygieneReport(dryRun: dryRun)
        for appId in appIds {
            if dryRun {
                let row = try await rows("""
                    SELECT COUNT(*) FILTER (WHERE status = 'active' AND last_seen_at < \(staleCutoff)
                                              AND (expires_at IS NULL OR expires_at > \(at))),
                           COUNT(*) FILTER (WHERE last_seen_at < \(expiryCutoff) OR expires_at <= \(at))
                    FROM tokens WHERE app_id = \(appId) AND status IN ('active', 'stale')
                    """)[0]
                let (stale, expired) = try row.decode((Int, Int).self)
                report.markedStale += stale
                report.markedExpired += expired
                continue
            }
            let counts = try await transaction { db -> (Int, Int) in
                // TokenLifecycle's lifetimeEnded: Live Activity update tokens past their activity's end or 12 hours.
                let ended = try await db.rows("""
                    UPDATE tokens SET status = 'expired', status_at = \(at)
                    WHERE app_id = \(appId) AND status IN ('active', 'stale') AND expires_at <= \(at) RETURNING 1
                    """, logger: logger).count
                let stale = try await db.rows("""
                    UPDATE tokens SET status = 'stale', status_at = \(at)
                    WHERE app_id = \(appId) AND status = 'active' AND last_seen_at < \(staleCutoff) RETURNING 1
                    """, logger: logger).count
                let expired = try await db.rows("""
                    UPDATE tokens SET status = 'expired', status_at = \(at)
                    WHERE app_id = \(appId) AND status = 'stale' AND last_seen_at < \(expiryCutoff) RETURNING 1
                    """, logger: logger).count
                return (stale, expired + ended)
            }
            report.markedStale += counts.0
            report.markedExpired += counts.1
        }
        return report
    }
}
