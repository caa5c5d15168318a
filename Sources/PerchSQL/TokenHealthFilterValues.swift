/// The values of a token-health filter, as the rollup's columns hold them.
public struct TokenHealthFilterValues: Sendable, Hashable {
    public var platform: String?
    public var appVersion: String?
    public var kind: String?

    public init(platform: String?, appVersion: String?, kind: String?) {
        (self.platform, self.appVersion, self.kind) = (platform, appVersion, kind)
    }
}
