import Foundation

/// The funnel of a campaign or variant with its rates. Funnel words are exact: attempted (a send was tried),
/// accepted (the gateway took it), delivered (the client reported `received`), opened, converted.
public struct FunnelReport: Sendable, Hashable, Codable {
    public var attempted: Int
    public var accepted: Int
    public var delivered: Int
    public var opened: Int
    public var converted: Int
    public var revenue: Double
    /// accepted / attempted.
    public var acceptanceRate: Double?
    /// delivered / accepted.
    public var deliveryRate: Double?
    /// opened / accepted (not every client reports `received`, so opens are counted against what was accepted).
    public var openRate: Double?
    /// converted / accepted.
    public var conversionRate: Double?
    /// revenue / accepted.
    public var revenuePerRecipient: Double?
    /// revenue / delivered.
    public var revenuePerDelivered: Double?

    public init(attempted: Int, accepted: Int, delivered: Int, opened: Int, converted: Int, revenue: Double) {
        self.attempted = attempted
        self.accepted = accepted
        self.delivered = delivered
        self.opened = opened
        self.converted = converted
        self.revenue = revenue
        acceptanceRate = Self.ratio(Double(accepted), attempted)
        deliveryRate = Self.ratio(Double(delivered), accepted)
        openRate = Self.ratio(Double(opened), accepted)
        conversionRate = Self.ratio(Double(converted), accepted)
        revenuePerRecipient = Self.ratio(revenue, accepted)
        revenuePerDelivered = Self.ratio(revenue, delivered)
    }

    /// `numerator / denominator`, `nil` when the denominator is zero.
    public static func ratio(_ numerator: Double, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : numerator / Double(denominator)
    }
}
