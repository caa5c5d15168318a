import Foundation
import PerchCore
import PerchStore

/// A campaign's numbers per UTC day, recomputed from the facts (what the rollups must equal: ``CampaignRollupQuery``),
/// read with the same statements from either backend and folded by ``CampaignCounts``' rules. A delivery counts on the
/// day it was queued, an event on the day it occurred within the attribution window, a converter on the day of their
/// first conversion within it.
public enum CampaignDayQuery {
    public static func counts(of campaign: CampaignRecord, on store: some SQLStore, now: Date) async throws -> [Int: CampaignCounts] {
        var byDay: [Int: CampaignCounts] = [:]
        let app = SQLValue.text(campaign.appId), id = SQLValue.text(campaign.id), dialect = store.dialect
        for (day, group) in try await store.rows(SQLStatement("""
            SELECT \(RollupStatements.day("created_at", dialect)), state, outcome, reason, variant, CASE WHEN attempts > 0 THEN 1 ELSE 0 END,
                COUNT(*)
            FROM deliveries WHERE app_id = ? AND campaign_id = ? GROUP BY 1, 2, 3, 4, 5, 6
            """, [app, id]), { row in
            (try row.integer(required: 0), CampaignCounts.DeliveryGroup(
                state: try row.text(required: 1), outcome: try row.text(2), reason: try row.text(3), variant: try row.integer(4),
                attempted: try row.integer(required: 5) != 0, count: try row.integer(required: 6)))
        }) { byDay[day, default: CampaignCounts()].add(group) }
        guard let window = CampaignCounts.attributionWindow(startedAt: campaign.startedAt, completedAt: campaign.completedAt,
                                                             attribution: campaign.definition.attributionWindow, now: now)
        else { return byDay }
        let from = SQLValue.time(window.lowerBound), until = SQLValue.time(window.upperBound)
        for (day, group) in try await store.rows(SQLStatement("""
            SELECT \(RollupStatements.day("e.occurred_at", dialect)), e.type, d.variant, COUNT(*), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION)
            FROM events e LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
            WHERE e.app_id = ? AND e.campaign_id = ? AND e.type IN \(RollupStatements.eventTypes) AND e.occurred_at >= ? AND e.occurred_at <= ?
            GROUP BY 1, 2, 3
            """, [app, id, from, until]), { row in
            (try row.integer(required: 0), CampaignCounts.EventGroup(type: try row.text(required: 1), variant: try row.integer(2),
                                                                     count: try row.integer(required: 3), value: try row.real(required: 4)))
        }) { byDay[day, default: CampaignCounts()].add(group) }
        // The campaign's people (as lift counts them), their first conversion within the window and each conversion's value.
        let people = CampaignCountsQuery.campaignPeople
        let conversions = "SELECT \(SQLExpressions.person()) AS person, occurred_at, value FROM events WHERE app_id = ? AND type = 'converted' AND occurred_at >= ? AND occurred_at <= ?"
        var rows = try await store.rows(SQLStatement("""
            SELECT \(RollupStatements.day("c.first_at", dialect)), p.held_out, COUNT(*)
            FROM (\(people)) AS p JOIN (SELECT person, MIN(occurred_at) AS first_at FROM (\(conversions)) AS x GROUP BY person) AS c ON c.person = p.person
            GROUP BY 1, 2
            """, [app, id, app, from, until]), {
            CampaignRollupQuery.ConversionRow(day: try $0.integer(required: 0), heldOut: try $0.integer(required: 1) != 0,
                                              converted: try $0.integer(required: 2), revenue: 0)
        })
        rows += try await store.rows(SQLStatement("""
            SELECT \(RollupStatements.day("c.occurred_at", dialect)), p.held_out, CAST(COALESCE(SUM(c.value), 0) AS DOUBLE PRECISION)
            FROM (\(people)) AS p JOIN (\(conversions)) AS c ON c.person = p.person GROUP BY 1, 2
            """, [app, id, app, from, until]), {
            CampaignRollupQuery.ConversionRow(day: try $0.integer(required: 0), heldOut: try $0.integer(required: 1) != 0, converted: 0,
                                              revenue: try $0.real(required: 2))
        })
        for (day, rows) in Dictionary(grouping: rows, by: \.day) {
            for group in CampaignRollupQuery.liftGroups(rows) { byDay[day, default: CampaignCounts()].add(group) }
        }
        return byDay
    }
}

