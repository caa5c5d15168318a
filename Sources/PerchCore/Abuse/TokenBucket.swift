import Foundation

/// A token bucket: holds up to `limit.burst` tokens, refills continuously at `limit.requests` per `limit.period`,
/// and each request takes one. Pure: the caller passes the time, so tests drive it with a fixed clock.
///
/// Starts full, so a client's first burst (an app launch: register, identify, a batch of events) passes at once.
public struct TokenBucket: Sendable, Hashable {
    public let limit: RateLimit
    public private(set) var tokens: Double
    public private(set) var updatedAt: Date

    public init(limit: RateLimit, now: Date) {
        self.limit = limit
        self.tokens = Double(limit.burst)
        self.updatedAt = now
    }

    /// The tokens there would be at `now` (time running backwards adds none).
    public func available(at now: Date) -> Double {
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        // Multiplied before dividing, so a whole period refills whole tokens exactly (3600 × 1/3600 is not 1.0).
        return min(Double(limit.burst), tokens + elapsed * Double(limit.requests) / Double(limit.period))
    }

    /// Whether a request at `now` may pass; when it may, the caller follows with ``take(now:)``.
    /// Otherwise the seconds until a token is there (at least 1, as `Retry-After` counts whole seconds).
    public func wait(at now: Date) -> Int? {
        let available = available(at: now)
        guard available < 1 else { return nil }
        return max(1, Int(((1 - available) * Double(limit.period) / Double(limit.requests)).rounded(.up)))
    }

    /// Takes one token at `now`: answers `nil` when it was there, else the seconds to wait (nothing taken).
    public mutating func take(now: Date) -> Int? {
        if let wait = wait(at: now) { return wait }
        tokens = available(at: now) - 1
        updatedAt = max(updatedAt, now)
        return nil
    }

    /// Full again at `now`: nothing is lost by forgetting the bucket, as a new one starts full.
    public func isFull(at now: Date) -> Bool { available(at: now) >= Double(limit.burst) }
}
