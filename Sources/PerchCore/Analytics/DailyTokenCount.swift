import Foundation

/// One day of the live-token series.
public struct DailyTokenCount: Sendable, Hashable, Codable {
    /// Start of the day (UTC).
    public var day: Date
    /// Tokens registered that day.
    public var registered: Int
    /// Tokens that left the live states (invalid, revoked, expired, replaced) that day.
    public var retired: Int
    /// Live (active or stale) tokens at the end of the day.
    public var live: Int
    /// live − the previous day's live.
    public var growth: Int

    public init(day: Date, registered: Int, retired: Int, live: Int, growth: Int) {
        self.day = day
        self.registered = registered
        self.retired = retired
        self.live = live
        self.growth = growth
    }
}
