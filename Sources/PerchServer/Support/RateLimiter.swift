import Foundation
import PerchCore
import Synchronization

/// Token buckets of one kind of limit (per installation, per client address, per publishable key), keyed by
/// whatever the request names. Shared by every request of the process, so a `Mutex` guards them.
///
/// Memory stays bounded: at ``RateLimitPolicy/maximumTracked`` buckets, the full ones (idle long enough to
/// have refilled — forgetting them changes nothing, a new bucket starts full) are dropped; if every bucket is
/// busy, the oldest half go. A flood of made-up ids can thus make real clients' buckets start over, never
/// grow the process.
final class RateLimiter: Sendable {
    let limit: RateLimit
    let maximumTracked: Int
    private let buckets = Mutex<[String: TokenBucket]>([:])

    init(limit: RateLimit, maximumTracked: Int) {
        self.limit = limit
        self.maximumTracked = max(1, maximumTracked)
    }

    /// Takes one token from each of `keys`' buckets when every one has a token; otherwise takes none and
    /// answers the seconds until all of them would have one.
    func take(_ keys: some Collection<String>, now: Date) -> Int? {
        buckets.withLock { buckets in
            var wait = 0
            for key in Set(keys) {
                if let seconds = buckets[key]?.wait(at: now) { wait = max(wait, seconds) }
            }
            if wait > 0 { return wait }
            for key in Set(keys) {
                if buckets[key] == nil {
                    if buckets.count >= maximumTracked { Self.evict(&buckets, now: now, keeping: maximumTracked) }
                    buckets[key] = TokenBucket(limit: limit, now: now)
                }
                _ = buckets[key]?.take(now: now)
            }
            return nil
        }
    }

    /// How many buckets are held (for tests of the bound).
    var trackedCount: Int { buckets.withLock { $0.count } }

    private static func evict(_ buckets: inout [String: TokenBucket], now: Date, keeping maximum: Int) {
        buckets = buckets.filter { !$0.value.isFull(at: now) }
        guard buckets.count >= maximum else { return }
        let oldest = buckets.sorted { $0.value.updatedAt < $1.value.updatedAt }.prefix(buckets.count / 2 + 1).map(\.key)
        for key in oldest { buckets[key] = nil }
    }
}
