import Foundation

/// A gateway's word that a delivery's token is dead, to be applied in the batch's transaction by
/// ``PerchCore/TokenLifecycle/retirement(of:lastSeenAt:reason:at:unlessSeenAfter:)``. When the token keeps its status
/// (registered again after `unlessSeenAfter`, or no longer live), the delivery's outcome is recorded as `kept`.
public struct TokenRetirement: Sendable, Hashable {
    public var appId: String
    public var tokenId: String
    /// The delivery whose answer called the token dead.
    public var deliveryId: String
    public var reason: String
    public var at: Date
    /// APNs' 410 timestamp.
    public var unlessSeenAfter: Date?

    public init(appId: String, tokenId: String, deliveryId: String, reason: String, at: Date, unlessSeenAfter: Date?) {
        self.appId = appId
        self.tokenId = tokenId
        self.deliveryId = deliveryId
        self.reason = reason
        self.at = at
        self.unlessSeenAfter = unlessSeenAfter
    }
}
