import Foundation
import PerchCore

/// Token-health analytics over time, computed from stored tokens and events (docs/metrics.md).
public protocol AnalyticsStore: Sendable {
    /// Live tokens at the end of each of the last `days` days, with the registrations and retirements of each day.
    func tokenGrowth(appId: String, filter: TokenHealth.Filter, days: Int, now: Date) async throws -> [DailyTokenCount]
    /// Per registration week (the last `weeks`) and platform: the share of its tokens still live N days after registering.
    func tokenSurvival(appId: String, filter: TokenHealth.Filter, weeks: Int, checkpoints: [Int], now: Date) async throws -> [SurvivalCohort]
    /// Opt-in (granted / prompted) by platform, app version and prompt strategy, for prompts in the period.
    func optInBreakdown(appId: String, filter: TokenHealth.Filter, since: Date?, until: Date?) async throws -> [OptInBreakdown]
    /// One page of an export, in a stable order after the `after` cursor; each row has ``ExportKind/columns``.
    /// `campaignId` narrows deliveries and events. Answers the rows and the cursor of the next page (`nil` at the end).
    func exportRows(appId: String, of kind: ExportKind, campaignId: String?, after: String?, limit: Int) async throws
        -> (rows: [[String: JSONValue]], next: String?)
}
