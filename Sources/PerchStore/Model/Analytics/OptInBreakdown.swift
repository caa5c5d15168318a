/// Opt-in for one platform, app version and prompt strategy.
public struct OptInBreakdown: Sendable, Hashable, Codable {
    public var platform: String
    public var appVersion: String?
    /// The prompt event's `strategy` property (`unknown` without one).
    public var strategy: String
    /// Installations shown the prompt.
    public var prompted: Int
    /// Of those, installations that granted permission after the prompt.
    public var granted: Int
    public var rate: Double?

    public init(platform: String, appVersion: String?, strategy: String, prompted: Int, granted: Int, rate: Double?) {
        self.platform = platform
        self.appVersion = appVersion
        self.strategy = strategy
        self.prompted = prompted
        self.granted = granted
        self.rate = rate
    }
}
