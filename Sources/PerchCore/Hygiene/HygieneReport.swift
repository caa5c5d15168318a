/// What one hygiene run changed, or would change in a dry run.
public struct HygieneReport: Sendable, Hashable, Codable {
    /// Tokens that moved `active → stale`.
    public var markedStale: Int
    /// Tokens that moved `stale → expired` (including ones flagged stale in the same run), and live Live Activity
    /// update tokens whose activity ended or that outlived ``TokenLifecycle/liveActivityTokenLifetime``.
    public var markedExpired: Int
    public var dryRun: Bool

    public init(markedStale: Int = 0, markedExpired: Int = 0, dryRun: Bool) {
        self.markedStale = markedStale
        self.markedExpired = markedExpired
        self.dryRun = dryRun
    }
}
