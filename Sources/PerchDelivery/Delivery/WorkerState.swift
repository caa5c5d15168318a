import Foundation
import PerchCore
import Synchronization

/// What a worker keeps between deliveries: parsed campaigns, recent statuses and unused send permits.
final class WorkerState: Sendable {
    private struct LimiterKey: Hashable {
        var appId: String
        var platform: Platform
    }
    private let campaigns = Mutex<[String: PreparedCampaign]>([:])
    private let permits = Mutex<[LimiterKey: SendPermits]>([:])
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

    /// Takes one of the send permits this worker holds for the app's gateway in the current second.
    func takePermit(appId: String, platform: Platform, now: Date) -> Bool {
        permits.withLock { $0[LimiterKey(appId: appId, platform: platform), default: SendPermits()].take(now: now) }
    }

    /// Keeps permits reserved from the shared count for the second holding `now`.
    func addPermits(_ count: Int, appId: String, platform: Platform, now: Date) {
        permits.withLock { $0[LimiterKey(appId: appId, platform: platform), default: SendPermits()].add(count, now: now) }
    }
}
