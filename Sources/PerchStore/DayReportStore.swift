import Foundation
import PerchCore

/// A campaign's funnel split by UTC day: the report's `byDay`.
public protocol DayReportStore: Sendable {
    /// Per UTC day (days since 1970), the counts of the deliveries queued that day, of the events within the attribution
    /// window that occurred that day, and per side of the holdout of the people whose first conversion fell that day and
    /// that day's revenue (no people: a person belongs to the campaign, not to a day).
    func campaignCountsByDay(appId: String, campaignId: String, now: Date) async throws -> [Int: CampaignCounts]
}
