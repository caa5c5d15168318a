import Foundation
import PerchCore

/// The token statements both dialects run as written.
public enum TokenStatements {
    /// What retirement decides on, for `tokenIds` of one app (``RetiringToken``): app, id, the status columns (as
    /// ``SQLRow/tokenStatus(from:)`` reads them) and when each was last seen. In id order, and on PostgreSQL locked to
    /// the end of the transaction, so two transactions retiring the same tokens never wait on each other in a cycle.
    public static func retirementFacts(appId: String, tokenIds: [String], dialect: SQLDialect) -> SQLStatement {
        let ids = SQLStatement.isIn("id", tokenIds)
        return SQLStatement("""
            SELECT app_id, id, status, status_reason, status_at, successor_id, last_seen_at FROM tokens
            WHERE app_id = ? AND \(ids.sql) ORDER BY id\(dialect.forUpdate)
            """, [.text(appId)] + ids.values)
    }

    /// Writes `status` if the token still has the status and last-seen time it was read with (a compare-and-set: a
    /// registration in between moves `last_seen_at`); answers the token's id when it did.
    public static func setStatus(_ status: TokenStatus, now: Date, appId: String, tokenId: String, from previous: TokenStatus,
                                 lastSeenAt: Double) -> SQLStatement {
        let columns = status.storedColumns
        return SQLStatement("""
            UPDATE tokens SET status = ?, status_reason = ?, status_at = ?, successor_id = ?
            WHERE app_id = ? AND id = ? AND status = ? AND last_seen_at = ? RETURNING id
            """, [.text(columns.status), .text(columns.reason), .real(columns.at ?? now.timeIntervalSince1970), .text(columns.successor),
                  .text(appId), .text(tokenId), .text(previous.storedColumns.status), .real(lastSeenAt)])
    }

    /// Writes a transition ``TokenLifecycle`` allowed, in a transaction that read (and on PostgreSQL locked) the token;
    /// a status without its own time takes `at`.
    public static func transition(to next: TokenStatus, at: Date, appId: String, tokenId: String) -> SQLStatement {
        let columns = next.storedColumns
        return SQLStatement("UPDATE tokens SET status = ?, status_reason = ?, status_at = ?, successor_id = ? WHERE app_id = ? AND id = ?",
                            [.text(columns.status), .text(columns.reason), .real(columns.at ?? at.timeIntervalSince1970),
                             .text(columns.successor), .text(appId), .text(tokenId)])
    }

    /// An ended activity's update tokens stop being delivery addresses at `expiresAt` (an earlier end stands).
    public static func endLiveActivity(appId: String, activityId: String, expiresAt: Date) -> SQLStatement {
        SQLStatement("""
            UPDATE tokens SET expires_at = ?
            WHERE app_id = ? AND kind = 'liveActivity' AND activity_id = ? AND (expires_at IS NULL OR expires_at > ?)
            """, [.time(expiresAt), .text(appId), .text(activityId), .time(expiresAt)])
    }
}
