import Foundation
import PerchCore

/// A campaign's report numbers, whole and split by localization and by day, read at once (docs/metrics.md).
public protocol CampaignReportStore: Sendable {
    func campaignReport(of campaign: CampaignRecord, now: Date) async throws -> CampaignReportCounts
}
