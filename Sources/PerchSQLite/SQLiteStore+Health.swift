import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: HealthStore {
    public func runHygiene(policy: HygienePolicy, now: Date, dryRun: Bool) async throws -> HygieneReport {
        let staleCutoff = policy.staleCutoff(now: now).stored
        let expiryCutoff = policy.expiryCutoff(now: now).stored
        if dryRun {
            return try await pool.read { db in
                let stale = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM tokens WHERE status = 'active' AND last_seen_at < ? AND (expires_at IS NULL OR expires_at > ?)
                    """, arguments: [staleCutoff, now.stored]) ?? 0
                let expired = try Int.fetchOne(db, sql: """
                    SELECT COUNT(*) FROM tokens WHERE status IN ('active', 'stale') AND (last_seen_at < ? OR expires_at <= ?)
                    """, arguments: [expiryCutoff, now.stored]) ?? 0
                return HygieneReport(markedStale: stale, markedExpired: expired, dryRun: true)
            }
        }
        return try await pool.write { db in
            // TokenLifecycle's lifetimeEnded: Live Activity update tokens past their activity's end or 12 hours.
            try db.execute(sql: "UPDATE tokens SET status = 'expired', status_at = ? WHERE status IN ('active', 'stale') AND expires_at <= ?",
                           arguments: [now.stored, now.stored])
            let ended = db.changesCount
            try db.execute(sql: "UPDATE tokens SET status = 'stale', status_at = ? WHERE status = 'active' AND last_seen_at < ?",
                           arguments: [now.stored, staleCutoff])
            let stale = db.changesCount
            try db.execute(sql: "UPDATE tokens SET status = 'expired', status_at = ? WHERE status = 'stale' AND last_seen_at < ?",
                           arguments: [now.stored, expiryCutoff])
            let expired = db.changesCount
            return HygieneReport(markedStale: stale, markedExpired: expired + ended, dryRun: false)
        }
    }
}
