import Foundation
import PerchCore

extension CampaignStore {
    /// Stores what happened to claimed deliveries, with nothing else to write.
    public func recordDeliveries(_ updates: [DeliveryUpdate], now: Date) async throws {
        try await recordDeliveries(DeliveryBatch(updates: updates), now: now)
    }

    /// Pauses an app's sends on one platform (bad credentials) until its gateway settings change.
    public func pauseGateway(appId: String, platform: Platform, reason: String, now: Date) async throws {
        try await recordDeliveries(DeliveryBatch(pauses: [GatewayPauseOrder(appId: appId, platform: platform, reason: reason)]), now: now)
    }
}
