/// Where a campaign is in its life.
///
/// `draft → scheduled → running → completed`, or `cancelled` from any but `completed`.
/// A triggered campaign stays `running` (listening) until it is cancelled.
public enum CampaignStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case draft
    case scheduled
    case running
    case completed
    case cancelled

    /// Whether the definition may still change.
    public var isEditable: Bool { self == .draft || self == .scheduled }
    /// Whether `send` applies.
    public var canStart: Bool { self == .draft }
    public var canCancel: Bool { self == .draft || self == .scheduled || self == .running }
}
