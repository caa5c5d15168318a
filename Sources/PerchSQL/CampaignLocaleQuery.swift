import Foundation
import PerchCore
import PerchStore

/// A campaign's numbers per localization sent, recomputed from the facts (what the rollups must equal), read with the same statements from either backend and folded by
/// ``CampaignCounts``' rules: only deliveries attempted count (a localization is picked when a message is sent).
public enum CampaignLocaleQuery {
    public static func counts(of campaign: CampaignRecord, on store: some SQLStore, now: Date) async throws -> [String: CampaignCounts] {
        var byLocale: [String: CampaignCounts] = [:]
        let app = SQLValue.text(campaign.appId), id = SQLValue.text(campaign.id), fallback = SQLValue.text(CampaignCounts.defaultLocale)
        for (locale, group) in try await store.rows(SQLStatement("""
            SELECT COALESCE(locale, ?), state, outcome, reason, COUNT(*) FROM deliveries
            WHERE app_id = ? AND campaign_id = ? AND attempts > 0 GROUP BY 1, 2, 3, 4
            """, [fallback, app, id]), { row in
            (try row.text(required: 0), CampaignCounts.DeliveryGroup(state: try row.text(required: 1), outcome: try row.text(2), reason: try row.text(3),
                                                                      variant: nil, attempted: true, count: try row.integer(required: 4)))
        }) { byLocale[locale, default: CampaignCounts()].add(group) }
        guard let window = CampaignCounts.attributionWindow(startedAt: campaign.startedAt, completedAt: campaign.completedAt,
                                                             attribution: campaign.definition.attributionWindow, now: now)
        else { return byLocale }
        for (locale, group) in try await store.rows(SQLStatement("""
            SELECT COALESCE(d.locale, ?), e.type, COUNT(*), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION) FROM events e
            JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
            WHERE e.app_id = ? AND e.campaign_id = ? AND e.type IN ('received', 'opened', 'converted')
              AND e.occurred_at >= ? AND e.occurred_at <= ?
            GROUP BY 1, 2
            """, [fallback, app, id, .time(window.lowerBound), .time(window.upperBound)]), { row in
            (try row.text(required: 0), CampaignCounts.EventGroup(type: try row.text(required: 1), variant: nil, count: try row.integer(required: 2),
                                                                   value: try row.real(required: 3)))
        }) { byLocale[locale, default: CampaignCounts()].add(group) }
        return byLocale
    }
}

