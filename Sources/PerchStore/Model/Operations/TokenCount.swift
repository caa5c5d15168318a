import PerchCore

/// How many of an app's tokens on a platform are in a status.
public struct TokenCount: Sendable, Hashable {
    public var appId: String
    public var platform: Platform
    public var status: TokenStatusName
    public var count: Int

    public init(appId: String, platform: Platform, status: TokenStatusName, count: Int) {
        self.appId = appId
        self.platform = platform
        self.status = status
        self.count = count
    }
}
