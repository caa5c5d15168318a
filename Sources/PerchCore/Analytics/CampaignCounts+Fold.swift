import Foundation

/// How a campaign's numbers are made from what the store counts: one fold, whatever the backend.
extension CampaignCounts {
    /// How long after a message's acceptance a withdrawal of permission, or an unregistration, is counted against it.
    public static let revocationWindow: TimeInterval = 7 * 86_400

    /// One group of the campaign's delivery rows (same state, outcome, reason, variant and attempted-or-not).
    public struct DeliveryGroup: Sendable, Hashable {
        public var state: String
        public var outcome: String?
        public var reason: String?
        public var variant: Int?
        public var attempted: Bool
        public var count: Int

        public init(state: String, outcome: String?, reason: String?, variant: Int?, attempted: Bool, count: Int) {
            (self.state, self.outcome, self.reason, self.variant, self.attempted, self.count) = (state, outcome, reason, variant, attempted, count)
        }
    }

    /// One group of the events attributed to the campaign within its window (same type and variant).
    public struct EventGroup: Sendable, Hashable {
        public var type: String
        public var variant: Int?
        public var count: Int
        public var value: Double

        public init(type: String, variant: Int?, count: Int, value: Double) {
            (self.type, self.variant, self.count, self.value) = (type, variant, count, value)
        }
    }

    /// The people of the audience in or out of the holdout, and those of them who converted within the window.
    public struct LiftGroup: Sendable, Hashable {
        public var heldOut: Bool
        public var people: Int
        public var converted: Int
        public var revenue: Double

        public init(heldOut: Bool, people: Int, converted: Int, revenue: Double) {
            (self.heldOut, self.people, self.converted, self.revenue) = (heldOut, people, converted, revenue)
        }
    }

    /// The window in which events count for a campaign: from its start to its attribution window after it completed
    /// (or after `now`, while it runs). `nil` for a campaign never started: nothing is attributed to it.
    public static func attributionWindow(startedAt: Date?, completedAt: Date?, attribution: TimeInterval, now: Date) -> ClosedRange<Date>? {
        guard let startedAt else { return nil }
        let end = (completedAt ?? now).addingTimeInterval(attribution)
        return startedAt...max(startedAt, end)
    }

    /// Adds one group of delivery rows: every row is a token; attempted, queued, accepted, failed (by reason; a
    /// retired token is one that failed with the `retired` outcome) or left out (by exclusion code).
    public mutating func add(_ group: DeliveryGroup) {
        let n = group.count, reason = group.reason ?? "unknown", variant = group.variant.map(String.init)
        tokens += n
        if group.attempted {
            attempted += n
            if let variant { variants[variant, default: .init()].attempted += n }
        }
        switch group.state {
        case "pending", "retry", "sending": queued += n
        case "accepted":
            accepted += n
            if let variant { variants[variant, default: .init()].accepted += n }
        case "failed":
            failedByReason[reason, default: 0] += n
            if group.outcome == DeliveryVerdict.Outcome.retired.rawValue { retired += n }
        default: suppressedByReason[reason, default: 0] += n
        }
    }

    /// Adds one group of attributed events: receipts, opens, and conversions with their value, in total and per variant.
    public mutating func add(_ group: EventGroup) {
        let n = group.count, variant = group.variant.map(String.init)
        switch group.type {
        case "received":
            received += n
            if let variant { variants[variant, default: .init()].received += n }
        case "opened":
            opened += n
            if let variant { variants[variant, default: .init()].opened += n }
        case "converted":
            converted += n
            revenue += group.value
            if let variant {
                variants[variant, default: .init()].converted += n
                variants[variant, default: .init()].revenue += group.value
            }
        default: break
        }
    }

    /// Sets the intent-to-treat group the rows are of.
    public mutating func add(_ group: LiftGroup) {
        var counts = GroupCounts()
        counts.people = group.people
        counts.converted = group.converted
        counts.revenue = group.revenue
        if group.heldOut { holdout = counts } else { treatment = counts }
    }
}
