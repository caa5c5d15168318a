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

    public func tokenHealth(appId: String, filter: TokenHealth.Filter) async throws -> TokenHealth {
        let logger = self.logger
        // Counts by status, platform and kind, and retirements: from the rollup (docs/metrics.md, "Rollups").
        let counts = try await TokenHealthRollupQuery.counts(appId: appId, filter: filter, on: self)
        return try await transaction { db in
            try await db.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            let platform = filter.platform?.rawValue
            let version = filter.appVersion
            let kind = filter.kind?.rawValue
            // $1 app, $2 platform (or NULL: any), $3 app version (or NULL: any), $4 token kind (or NULL: any).
            let population = """
                FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE t.app_id = $1 AND ($2::text IS NULL OR t.platform = $2::text) AND ($3::text IS NULL OR i.app_version = $3::text)
                    AND ($4::text IS NULL OR t.kind = $4::text)
                """
            func query(_ sql: String, withKind: Bool = true) -> PostgresQuery {
                var binds = PostgresBindings()
                binds.append(appId)
                binds.append(platform)
                binds.append(version)
                if withKind { binds.append(kind) }
                return PostgresQuery(unsafeSQL: sql, binds: binds)
            }

            let userRow = try await db.rows(query("""
                SELECT COUNT(*), COALESCE(SUM(n), 0)::bigint, COUNT(*) FILTER (WHERE dup) FROM (
                    SELECT per.user_id, SUM(per.c) AS n, bool_or(per.c > 1) AS dup FROM (
                        SELECT i.user_id, t.platform, COUNT(*) AS c \(population) AND t.status IN ('active', 'stale') AND i.user_id IS NOT NULL
                        GROUP BY i.user_id, t.platform, t.kind, t.activity_type, t.activity_id
                    ) AS per GROUP BY per.user_id
                ) AS users
                """), logger: logger)[0]
            let (users, liveUserTokens, duplicated) = try userRow.decode((Int, Int, Int).self)

            let optInRow = try await db.rows(query("""
                SELECT COUNT(DISTINCT CASE WHEN e.type = 'prompt_shown' THEN e.installation_id END),
                       COUNT(DISTINCT CASE WHEN e.type = 'permission_granted' THEN e.installation_id END)
                FROM events e JOIN installations i ON i.app_id = e.app_id AND i.installation_id = e.installation_id
                WHERE e.app_id = $1 AND ($2::text IS NULL OR i.platform = $2::text) AND ($3::text IS NULL OR i.app_version = $3::text)
                    AND e.type IN ('prompt_shown', 'permission_granted')
                """, withKind: false), logger: logger)[0]
            let (prompted, granted) = try optInRow.decode((Int, Int).self)

            return TokenHealth(byStatus: counts.byStatus, byPlatform: counts.byPlatform, byKind: counts.byKind,
                               retirementsByReason: counts.retirementsByReason, usersWithLiveTokens: users,
                               liveUserTokens: liveUserTokens, usersWithDuplicates: duplicated, prompted: prompted, granted: granted)
        }
    }
}
