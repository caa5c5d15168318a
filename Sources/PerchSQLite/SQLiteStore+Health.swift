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

    public func tokenHealth(appId: String, filter: TokenHealth.Filter) async throws -> TokenHealth {
        // Counts by status, platform and kind, and retirements: from the rollup (docs/metrics.md, "Rollups").
        let counts = try await TokenHealthRollupQuery.counts(appId: appId, filter: filter, on: self)
        return try await pool.read { db in
            let (tokenWhere, populationArgs) = Self.populationFilter(appId: appId, filter, appColumn: "t.app_id", platformColumn: "t.platform")
            let kind = filter.kind?.rawValue
            let args = populationArgs + [kind, kind]
            let population = """
                FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE \(tokenWhere) AND (? IS NULL OR t.kind = ?)
                """

            let userRow = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS users, COALESCE(SUM(n), 0) AS tokens, COALESCE(SUM(dup), 0) AS duplicated FROM (
                    SELECT i.user_id, SUM(c) AS n, MAX(c > 1) AS dup FROM (
                        SELECT i.user_id, t.platform, COUNT(*) AS c \(population) AND t.status IN ('active', 'stale') AND i.user_id IS NOT NULL
                        GROUP BY i.user_id, t.platform, t.kind, t.activity_type, t.activity_id
                    ) AS i GROUP BY i.user_id
                )
                """, arguments: args)!
            let users: Int = userRow["users"], liveUserTokens: Int = userRow["tokens"], duplicated: Int = userRow["duplicated"]

            let (eventWhere, eventArguments) = Self.populationFilter(appId: appId, filter, appColumn: "e.app_id", platformColumn: "i.platform")
            let optInRow = try Row.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT CASE WHEN e.type = 'prompt_shown' THEN e.installation_id END) AS prompted,
                       COUNT(DISTINCT CASE WHEN e.type = 'permission_granted' THEN e.installation_id END) AS granted
                FROM events e JOIN installations i ON i.app_id = e.app_id AND i.installation_id = e.installation_id
                WHERE \(eventWhere) AND e.type IN ('prompt_shown', 'permission_granted')
                """, arguments: eventArguments)!
            let prompted: Int = optInRow["prompted"], granted: Int = optInRow["granted"]

            return TokenHealth(byStatus: counts.byStatus, byPlatform: counts.byPlatform, byKind: counts.byKind,
                               retirementsByReason: counts.retirementsByReason, usersWithLiveTokens: users,
                               liveUserTokens: liveUserTokens, usersWithDuplicates: duplicated, prompted: prompted, granted: granted)
        }
    }

    /// The WHERE clause narrowing a population to one app and the filter (the installation is `i`).
    static func populationFilter(appId: String, _ filter: TokenHealth.Filter, appColumn: String,
                                 platformColumn: String) -> (String, StatementArguments) {
        var conditions = ["\(appColumn) = ?"]
        var arguments: [(any DatabaseValueConvertible)?] = [appId]
        if let platform = filter.platform {
            conditions.append("\(platformColumn) = ?")
            arguments.append(platform.rawValue)
        }
        if let version = filter.appVersion {
            conditions.append("i.app_version = ?")
            arguments.append(version)
        }
        return (conditions.joined(separator: " AND "), StatementArguments(arguments))
    }
}
