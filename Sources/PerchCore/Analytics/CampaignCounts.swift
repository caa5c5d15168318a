import Foundation

/// A campaign's numbers, computed from its delivery rows and attributed events.
/// Funnel words are exact: attempted ≠ accepted ≠ received ≠ opened.
public struct CampaignCounts: Sendable, Hashable, Codable {
    /// Delivery rows (tokens the audience resolved to, sent or not).
    public var tokens: Int = 0
    /// Rows still to be sent (pending, retrying or in flight).
    public var queued: Int = 0
    /// Tokens at least one send was attempted to.
    public var attempted: Int = 0
    public var accepted: Int = 0
    /// Tokens the gateway declared dead, retired at once.
    public var retired: Int = 0
    /// Tokens whose send failed for good, by reason (retired ones included).
    public var failedByReason: [String: Int] = [:]
    /// Tokens left out, by exclusion code (holdout, consent, caps, quiet hours, device policy, cancelled, …).
    public var suppressedByReason: [String: Int] = [:]
    /// Client receipts (`received` events) attributed to the campaign.
    public var received: Int = 0
    public var opened: Int = 0
    public var converted: Int = 0
    public var revenue: Double = 0
    /// Installations sent to that withdrew permission (consent revoked or denied, or `permission_revoked`) within
    /// 7 days after their message was accepted.
    public var revocationsWithin7Days: Int = 0
    /// Installations sent to that unregistered within 7 days after their message was accepted.
    public var unregistrationsWithin7Days: Int = 0
    /// Per variant (index as text): its funnel.
    public var variants: [String: VariantCounts] = [:]
    /// Intent-to-treat groups for lift: people in the audience outside the holdout, and held out.
    public var treatment: GroupCounts = .init()
    public var holdout: GroupCounts = .init()

    public struct VariantCounts: Sendable, Hashable, Codable {
        public var attempted: Int = 0
        public var accepted: Int = 0
        public var received: Int = 0
        public var opened: Int = 0
        public var converted: Int = 0
        public var revenue: Double = 0
        public init() {}
    }

    public struct GroupCounts: Sendable, Hashable, Codable {
        public var people: Int = 0
        /// People with a `converted` event in the attribution window after the campaign started.
        public var converted: Int = 0
        public var revenue: Double = 0
        public init() {}
    }

    public init() {}
}
