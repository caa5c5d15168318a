import Foundation

/// A rate limit in messages per second with a burst allowance. Pure: the caller passes the time
/// and sleeps for the answer.
public struct TokenBucket: Sendable, Hashable {
    public let ratePerSecond: Double
    public let burst: Double
    private var available: Double
    private var updatedAt: Date?

    public init(ratePerSecond: Double, burst: Double? = nil) {
        self.ratePerSecond = max(ratePerSecond, 0.001)
        self.burst = max(1, burst ?? max(1, ratePerSecond / 10))
        self.available = self.burst
    }

    /// Takes one message's permit at `now` and answers how long to wait before sending it (zero when at once).
    /// Permits are taken even when the caller must wait, so concurrent callers queue up fairly.
    public mutating func reserve(now: Date) -> TimeInterval {
        if let updatedAt {
            available = min(burst, available + now.timeIntervalSince(updatedAt) * ratePerSecond)
        }
        updatedAt = now
        available -= 1
        return available >= 0 ? 0 : -available / ratePerSecond
    }
}
