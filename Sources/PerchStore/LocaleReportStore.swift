import Foundation
import PerchCore

/// A campaign's funnel split by the localization each message was sent in (`deliveries.locale`): the report's `byLocale`.
public protocol LocaleReportStore: Sendable {
    /// Per localization key (`de`, `pt-BR`; ``CampaignCounts/defaultLocale`` for the default message), the counts of the
    /// deliveries attempted in it and of the events attributed to them.
    func campaignCountsByLocale(appId: String, campaignId: String, now: Date) async throws -> [String: CampaignCounts]
}
