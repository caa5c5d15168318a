import Foundation
import PerchCore

/// What a stored API key grants: whose it is and, once rotated, when it stops working.
public struct KeyGrant: Sendable, Hashable {
    public var principal: Principal
    /// `nil` for the app's current key; the end of the grace period for a rotated one.
    public var expiresAt: Date?

    public init(principal: Principal, expiresAt: Date?) {
        self.principal = principal
        self.expiresAt = expiresAt
    }

    /// The app's current key (not one kept alive by a rotation's grace period).
    public var isCurrent: Bool { expiresAt == nil }
}
