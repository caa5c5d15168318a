import PerchCore

/// What a campaign's report folds: the whole campaign's counts, and the same split by localization sent and by UTC day.
public struct CampaignReportCounts: Sendable, Hashable {
    public var counts: CampaignCounts
    /// Per localization key (`de`, `pt-BR`; ``CampaignCounts/defaultLocale`` for the default message): the deliveries
    /// attempted in it and the events attributed to them.
    public var byLocale: [String: CampaignCounts]
    /// Per UTC day (days since 1970): the deliveries queued that day, the events within the attribution window that
    /// occurred that day, and per side of the holdout the people whose first conversion fell that day with that day's
    /// revenue (no people: a person belongs to the campaign, not to a day).
    public var byDay: [Int: CampaignCounts]

    public init(counts: CampaignCounts = CampaignCounts(), byLocale: [String: CampaignCounts] = [:], byDay: [Int: CampaignCounts] = [:]) {
        self.counts = counts
        self.byLocale = byLocale
        self.byDay = byDay
    }
}
