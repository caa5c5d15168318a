import Foundation

/// One claim a worker holds on a delivery row: the row and the attempt its claim made. A row claimed again by
/// another worker (after this claim's lease ran out) has a later attempt, so a lease is extended only for its holder.
public struct DeliveryLease: Sendable, Hashable, Encodable {
    public var appId: String
    public var id: String
    public var attempt: Int

    public init(appId: String, id: String, attempt: Int) {
        self.appId = appId
        self.id = id
        self.attempt = attempt
    }

    /// The claim `delivery` holds.
    public init(_ delivery: ClaimedDelivery) {
        self.init(appId: delivery.appId, id: delivery.id, attempt: delivery.attempt)
    }
}
