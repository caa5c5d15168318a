import Foundation
import PerchCore

/// The campaign statements both dialects run as written.
public enum CampaignStatements {
    /// The columns ``SQLRow/campaign()`` reads, in its order (the definition as text: `jsonb` in PostgreSQL).
    public static let columns = """
        app_id, id, kind, CAST(definition AS TEXT), status, created_at, updated_at, start_at, started_at, resolved_at, completed_at, cancelled_at
        """

    /// A definition as stored (JSON text).
    public static func definitionText(_ definition: CampaignDefinition) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(definition), as: UTF8.self)
    }

    /// One campaign.
    public static func campaign(appId: String, id: String) -> SQLStatement {
        SQLStatement("SELECT \(columns) FROM campaigns WHERE app_id = ? AND id = ?", [.text(appId), .text(id)])
    }

    /// An app's campaigns, newest first (transactional sends are not campaigns to list).
    public static func list(appId: String) -> SQLStatement {
        SQLStatement("SELECT \(columns) FROM campaigns WHERE app_id = ? AND kind <> 'transactional' ORDER BY created_at DESC", [.text(appId)])
    }

    /// Campaigns whose audience is to be resolved now: scheduled or running, not yet resolved, their start time come.
    public static func toResolve(now: Date) -> SQLStatement {
        SQLStatement("""
            SELECT \(columns) FROM campaigns WHERE resolved_at IS NULL AND status IN ('scheduled', 'running') AND start_at <= ? ORDER BY start_at
            """, [.time(now)])
    }

    /// Writes `transition` if the campaign's status is still `previous` (a compare-and-set), and answers the campaign
    /// as it then is. A time the transition leaves out keeps its stored value; a start or resolution time already
    /// stored is never moved.
    public static func write(_ transition: CampaignTransition, appId: String, id: String, from previous: CampaignStatus) -> SQLStatement {
        SQLStatement("""
            UPDATE campaigns SET status = ?, start_at = COALESCE(?, start_at), started_at = COALESCE(started_at, ?),
                resolved_at = COALESCE(resolved_at, ?), completed_at = COALESCE(?, completed_at), cancelled_at = COALESCE(?, cancelled_at),
                updated_at = ?
            WHERE app_id = ? AND id = ? AND status = ? RETURNING \(columns)
            """, [.text(transition.status.rawValue), .time(transition.startAt), .time(transition.startedAt), .time(transition.resolvedAt),
                  .time(transition.completedAt), .time(transition.cancelledAt), .time(transition.updatedAt), .text(appId), .text(id),
                  .text(previous.rawValue)])
    }

    /// What a cancel withdraws: the campaign's deliveries not yet tried suppressed, its waiting trigger instances
    /// cancelled. (A delivery in flight is left to its worker, whose outcome stands.)
    public static func withdrawQueuedWork(appId: String, id: String, now: Date) -> [SQLStatement] {
        [
            SQLStatement("""
                UPDATE deliveries SET state = 'suppressed', outcome = 'suppressed', reason = ?, reason_detail = ?, updated_at = ?
                WHERE app_id = ? AND campaign_id = ? AND state IN ('pending', 'retry')
                """, [.text(CampaignTransition.cancelledReason), .text(CampaignTransition.cancelledDetail), .time(now), .text(appId), .text(id)]),
            SQLStatement("UPDATE trigger_instances SET state = 'cancelled', updated_at = ? WHERE app_id = ? AND campaign_id = ? AND state = 'waiting'",
                         [.time(now), .text(appId), .text(id)]),
        ]
    }
}
