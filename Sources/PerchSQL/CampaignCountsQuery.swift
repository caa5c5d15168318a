import Foundation
import PerchCore
import PerchStore

/// A campaign's numbers recomputed from the facts (every delivery row and event), read with the same statements from
/// either backend and folded by ``CampaignCounts``' rules. What the rollups must equal (``CampaignRollupQuery``).
public enum CampaignCountsQuery {
    public static func counts(of campaign: CampaignRecord, on store: some SQLStore, now: Date) async throws -> CampaignCounts {
        var counts = CampaignCounts()
        let app = SQLValue.text(campaign.appId), id = SQLValue.text(campaign.id)
        for group in try await store.rows(SQLStatement("""
            SELECT state, outcome, reason, variant, CASE WHEN attempts > 0 THEN 1 ELSE 0 END, COUNT(*) FROM deliveries
            WHERE app_id = ? AND campaign_id = ? GROUP BY 1, 2, 3, 4, 5
            """, [app, id]), { row in
            CampaignCounts.DeliveryGroup(state: try row.text(required: 0), outcome: try row.text(1), reason: try row.text(2),
                                         variant: try row.integer(3), attempted: try row.integer(required: 4) != 0, count: try row.integer(required: 5))
        }) { counts.add(group) }
        guard let window = CampaignCounts.attributionWindow(startedAt: campaign.startedAt, completedAt: campaign.completedAt,
                                                             attribution: campaign.definition.attributionWindow, now: now)
        else { return counts }
        let from = SQLValue.time(window.lowerBound), until = SQLValue.time(window.upperBound)
        for group in try await store.rows(SQLStatement("""
            SELECT e.type, d.variant, COUNT(*), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION) FROM events e
            LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
            WHERE e.app_id = ? AND e.campaign_id = ? AND e.type IN ('received', 'opened', 'converted')
              AND e.occurred_at >= ? AND e.occurred_at <= ?
            GROUP BY e.type, d.variant
            """, [app, id, from, until]), { row in
            CampaignCounts.EventGroup(type: try row.text(required: 0), variant: try row.integer(1), count: try row.integer(required: 2),
                                      value: try row.real(required: 3))
        }) { counts.add(group) }
        try await addPeople(of: campaign, window: window, on: store, to: &counts)
        return counts
    }

    /// The people of a campaign's audience (app and campaign as parameters), each with whether they were held out:
    /// person, held_out. Lift's intent-to-treat groups.
    static let campaignPeople = """
        SELECT \(SQLExpressions.person()) AS person, MAX(\(RollupStatements.heldOut("deliveries"))) AS held_out
        FROM deliveries WHERE app_id = ? AND campaign_id = ? GROUP BY 1
        """

    /// Adds what is counted per installation and person rather than per row: withdrawals of permission and
    /// unregistrations within 7 days of a message, and the intent-to-treat groups for lift (people, and those of them
    /// who converted within `window`).
    public static func addPeople(of campaign: CampaignRecord, window: ClosedRange<Date>, on store: some SQLStore,
                                 to counts: inout CampaignCounts) async throws {
        let app = SQLValue.text(campaign.appId), id = SQLValue.text(campaign.id)
        let from = SQLValue.time(window.lowerBound), until = SQLValue.time(window.upperBound)
        // Permission lost after the message: per installation sent to, within the revocation window of acceptance.
        let window7 = SQLValue.real(CampaignCounts.revocationWindow)
        counts.revocationsWithin7Days = try await store.rows(SQLStatement("""
            SELECT COUNT(DISTINCT d.installation_id) FROM deliveries d
            WHERE d.app_id = ? AND d.campaign_id = ? AND d.state = 'accepted' AND (
                EXISTS (SELECT 1 FROM consent_history h WHERE h.app_id = d.app_id AND h.installation_id = d.installation_id
                        AND h.status IN ('revoked', 'denied') AND h.at > d.accepted_at AND h.at <= d.accepted_at + ?)
                OR EXISTS (SELECT 1 FROM events e WHERE e.app_id = d.app_id AND e.installation_id = d.installation_id
                           AND e.type = 'permission_revoked' AND e.occurred_at > d.accepted_at AND e.occurred_at <= d.accepted_at + ?))
            """, [app, id, window7, window7]), { try $0.integer(required: 0) }).first ?? 0
        counts.unregistrationsWithin7Days = try await store.rows(SQLStatement("""
            SELECT COUNT(DISTINCT d.installation_id) FROM deliveries d
            WHERE d.app_id = ? AND d.campaign_id = ? AND d.state = 'accepted'
              AND EXISTS (SELECT 1 FROM registry_log l WHERE l.app_id = d.app_id AND l.installation_id = d.installation_id
                          AND l.kind = 'unregistered' AND l.at > d.accepted_at AND l.at <= d.accepted_at + ?)
            """, [app, id, window7]), { try $0.integer(required: 0) }).first ?? 0
        // Lift: every person of the audience, in or out of the holdout, and whether they converted in the window.
        for group in try await store.rows(SQLStatement("""
            WITH people AS (\(campaignPeople)), conversions AS (
                SELECT \(SQLExpressions.person()) AS person, SUM(COALESCE(value, 0)) AS revenue
                FROM events WHERE app_id = ? AND type = 'converted' AND occurred_at >= ? AND occurred_at <= ? GROUP BY 1
            )
            SELECT p.held_out, COUNT(*), COUNT(c.person), CAST(COALESCE(SUM(COALESCE(c.revenue, 0)), 0) AS DOUBLE PRECISION)
            FROM people p LEFT JOIN conversions c ON c.person = p.person GROUP BY p.held_out
            """, [app, id, app, from, until]), { row in
            CampaignCounts.LiftGroup(heldOut: try row.integer(required: 0) != 0, people: try row.integer(required: 1),
                                     converted: try row.integer(required: 2), revenue: try row.real(required: 3))
        }) { counts.add(group) }
    }
}
