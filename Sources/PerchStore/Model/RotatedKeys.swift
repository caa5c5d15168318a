import Foundation
import PerchCore

/// The keys a rotation issues — shown once, like the first ones.
public struct RotatedKeys: Sendable {
    public var publishableKey: APIKey
    public var secretKey: APIKey
    /// When the keys they replace stop working.
    public var previousExpireAt: Date

    public init(publishableKey: APIKey, secretKey: APIKey, previousExpireAt: Date) {
        self.publishableKey = publishableKey
        self.secretKey = secretKey
        self.previousExpireAt = previousExpireAt
    }
}
