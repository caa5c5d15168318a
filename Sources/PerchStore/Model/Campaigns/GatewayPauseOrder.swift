import PerchCore

/// Pause an app's sends on one platform until its gateway settings change: its credentials were refused.
public struct GatewayPauseOrder: Sendable, Hashable {
    public var appId: String
    public var platform: Platform
    public var reason: String

    public init(appId: String, platform: Platform, reason: String) {
        self.appId = appId
        self.platform = platform
        self.reason = reason
    }
}
