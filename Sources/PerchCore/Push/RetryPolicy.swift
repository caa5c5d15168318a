/// How a delivery is retried: exponential backoff with jitter, bounded, at most `maxAttempts` attempts in all.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first one included.
    public var maxAttempts: Int
    /// The backoff before the first retry (before jitter).
    public var initialDelay: Duration
    /// The largest backoff (a `Retry-After` floor may still be larger).
    public var maximumDelay: Duration
    /// The growth factor between retries.
    public var multiplier: Double

    /// Creates a policy; the defaults give 1 s, 2 s, 4 s, 8 s backoffs (each jittered between half and all of it).
    public init(maxAttempts: Int = 5, initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(900), multiplier: Double = 2) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.multiplier = max(1, multiplier)
    }
}
