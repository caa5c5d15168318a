import Foundation
import PerchCore

/// The token-health rollup: `token_health_rollups` counts an app's tokens per platform × kind × status × status
/// reason × app version (of the token's installation; `''` when it has none, or none recorded). Kept by triggers on
/// `tokens` and on `installations` (whose app version moves its tokens), it serves `GET /v1/metrics/tokens`' counts
/// by status, platform and kind and its retirements by reason.
extension RollupStatements {
    public static let tokenColumns = "app_id, platform, kind, status, status_reason, app_version"

    /// A token's group, with its installation joined as `i`.
    public static func tokenKey(_ t: String, installation i: String = "i") -> String {
        "\(t).app_id, \(t).platform, \(t).kind, \(t).status, COALESCE(\(t).status_reason, ''), COALESCE(\(i).app_version, '')"
    }

    public static let tokenConflict = """
        ON CONFLICT (\(tokenColumns)) DO UPDATE SET n = token_health_rollups.n + excluded.n
        """

    /// Adds `sign` (±1) times one token row (`NEW`/`OLD` in a row trigger) to its group.
    public static func countToken(_ row: String, sign: Int) -> String {
        """
        INSERT INTO token_health_rollups (\(tokenColumns), n)
        SELECT \(tokenKey(row)), \(sign)
        FROM (SELECT 1 AS one) AS one LEFT JOIN installations i ON i.app_id = \(row).app_id AND i.installation_id = \(row).installation_id
        WHERE TRUE
        \(tokenConflict)
        """
    }

    /// Moves the tokens of installation `row` (`NEW`/`OLD`) into (`sign` 1) or out of (-1) the app version `version`.
    public static func moveTokens(of row: String, version: String, sign: Int) -> String {
        """
        INSERT INTO token_health_rollups (\(tokenColumns), n)
        SELECT t.app_id, t.platform, t.kind, t.status, COALESCE(t.status_reason, ''), \(version), \(sign) * COUNT(*)
        FROM tokens t WHERE t.app_id = \(row).app_id AND t.installation_id = \(row).installation_id
        GROUP BY t.app_id, t.platform, t.kind, t.status, COALESCE(t.status_reason, '')
        \(tokenConflict)
        """
    }

    /// Every token-health rollup row, recomputed from `tokens` and `installations`: the key columns, then `n`.
    public static let recomputedTokens = """
        SELECT \(tokenKey("t")), COUNT(*) FROM tokens t
        LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
        GROUP BY \(tokenKey("t"))
        """

    public static let backfillTokens = "INSERT INTO token_health_rollups (\(tokenColumns), n) \(recomputedTokens)"

    /// An app's token groups narrowed by `filter`: platform, kind, status, status reason (`''`: none), n.
    public static func tokenGroups(appId: String, filter: TokenHealthFilterValues) -> SQLStatement {
        SQLStatement("""
            SELECT platform, kind, status, status_reason, CAST(SUM(n) AS BIGINT) FROM token_health_rollups
            WHERE app_id = ? AND (CAST(? AS TEXT) IS NULL OR platform = ?) AND (CAST(? AS TEXT) IS NULL OR app_version = ?)
                AND (CAST(? AS TEXT) IS NULL OR kind = ?)
            GROUP BY platform, kind, status, status_reason HAVING SUM(n) <> 0
            """, [.text(appId), .text(filter.platform), .text(filter.platform), .text(filter.appVersion), .text(filter.appVersion),
                  .text(filter.kind), .text(filter.kind)])
    }
}
