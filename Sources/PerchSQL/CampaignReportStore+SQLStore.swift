import Foundation
import PerchStore

/// The report written once for every ``SQLStore``, read from the rollups.
extension CampaignReportStore where Self: SQLStore {
    public func campaignReport(of campaign: CampaignRecord, now: Date) async throws -> CampaignReportCounts {
        try await CampaignRollupQuery.report(of: campaign, on: self, now: now)
    }
}
