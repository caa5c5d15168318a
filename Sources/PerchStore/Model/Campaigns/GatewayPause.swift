import Foundation
import PerchCore

/// An app's sends on one platform, stopped because the gateway refused its credentials.
public struct GatewayPause: Sendable, Hashable, Codable {
    public var platform: Platform
    public var reason: String
    public var since: Date

    public init(platform: Platform, reason: String, since: Date) {
        self.platform = platform
        self.reason = reason
        self.since = since
    }
}
