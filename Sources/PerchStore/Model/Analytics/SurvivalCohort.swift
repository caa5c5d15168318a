import Foundation

/// Tokens registered in one week on one platform, and how many were still live N days later.
public struct SurvivalCohort: Sendable, Hashable, Codable {
    public struct Point: Sendable, Hashable, Codable {
        public var days: Int
        /// Tokens of the cohort old enough to have reached this age.
        public var measured: Int
        /// Of those, tokens live at that age.
        public var alive: Int
        /// alive / measured; `nil` while no token is that old.
        public var share: Double?

        public init(days: Int, measured: Int, alive: Int, share: Double?) {
            self.days = days
            self.measured = measured
            self.alive = alive
            self.share = share
        }
    }

    /// Start of the registration week.
    public var weekStart: Date
    public var platform: String
    public var registered: Int
    public var points: [Point]

    public init(weekStart: Date, platform: String, registered: Int, points: [Point]) {
        self.weekStart = weekStart
        self.platform = platform
        self.registered = registered
        self.points = points
    }
}
