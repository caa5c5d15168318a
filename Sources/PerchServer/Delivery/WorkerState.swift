import Foundation
import PerchCore
import Synchronization

/// What a worker keeps between deliveries: parsed campaigns and the rate limiters.
final class WorkerState: Sendable {
    private struct LimiterKey: Hashable {
        var appId: String
        var platform: Platform
    }
    private let campaigns = Mutex<[String: PreparedCampaign]>([:])
    private let limiters = Mutex<[LimiterKey: TokenBucket]>([:])
    private let statuses = Mutex<[String: (status: CampaignStatus, at: Date)]>([:])

    /// The campaign's status when it was read less than `maximumAge` seconds before `now`.
    func status(_ id: String, asOf now: Date, maximumAge: TimeInterval) -> CampaignStatus? {
        statuses.withLock { cache in
            guard let entry = cache[id], now.timeIntervalSince(entry.at) < maximumAge else { return nil }
            return entry.status
        }
    }

    func remember(status: CampaignStatus, of id: String, at: Date) {
        statuses.withLock { cache in
            if cache.count >= 1000 { cache.removeAll() }
            cache[id] = (status, at)
        }
    }

    func campaign(_ id: String) -> PreparedCampaign? { campaigns.withLock { $0[id] } }

    func remember(_ id: String, _ campaign: PreparedCampaign) {
        campaigns.withLock { cache in
            if cache.count >= 1000 { cache.removeAll() }
            cache[id] = campaign
        }
    }

    /// Takes a permit from the app's limiter on the platform; answers the seconds to wait.
    func reserve(appId: String, platform: Platform, rate: Double, now: Date) -> TimeInterval {
        limiters.withLock { limiters in
            let key = LimiterKey(appId: appId, platform: platform)
            var bucket = limiters[key].flatMap { $0.ratePerSecond == rate ? $0 : nil } ?? TokenBucket(ratePerSecond: rate)
            let wait = bucket.reserve(now: now)
            limiters[key] = bucket
            return wait
        }
    }
}
