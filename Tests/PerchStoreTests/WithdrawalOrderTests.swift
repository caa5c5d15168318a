import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// A withdrawal counts when it follows a delivery's acceptance within 7 days (docs/metrics.md), whichever is written
/// first: a worker may record an acceptance after the device has already revoked, been denied or unregistered.
@Suite("Withdrawals written before the acceptance they follow")
struct WithdrawalOrderTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    enum Withdrawal: CaseIterable {
        case revocationEvent, denial, unregistration
    }

    @Test("each kind of withdrawal after the acceptance counts though stored before it, alone in its app; one before the acceptance does not",
          arguments: StoreBackend.allCases)
    func writtenBeforeTheAcceptance(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        for withdrawal in Withdrawal.allCases {
            for after in [true, false] {
                let counts = try await acceptance(on: opened.store, withdrawnAt: after ? t0 + 30 : t0 + 2, by: withdrawal)
                let expected = after ? 1 : 0
                #expect(counts.accepted == 1, "\(withdrawal)")
                #expect(counts.revocationsWithin7Days == (withdrawal == .unregistration ? 0 : expected), "\(withdrawal), after: \(after)")
                #expect(counts.unregistrationsWithin7Days == (withdrawal == .unregistration ? expected : 0), "\(withdrawal), after: \(after)")
            }
        }
        #expect(try await opened.store.verifyRollups(repair: false).differences.isEmpty)
    }

    /// A one-token campaign in a new app: claimed at t0 + 1, withdrawn at `at` (stored then), accepted at t0 + 5 and
    /// recorded after the withdrawal.
    func acceptance(on store: some PerchStore, withdrawnAt at: Date, by withdrawal: Withdrawal) async throws -> CampaignCounts {
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: t0 - 600).app.id
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0 - 600)
        let definition = CampaignDefinition(name: "c", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"))
        let (campaign, planned) = try await Sample.startedCampaign(definition, app: app, on: store, at: t0)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: 86_400, finished: true, now: t0)
        let claimed = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(60), now: t0 + 1).filter { $0.campaignId == campaign.id }
        #expect(claimed.count == 1)
        switch withdrawal {
        case .revocationEvent:
            _ = try await store.record(appId: app, events: [
                ClientEvent(type: .permissionRevoked, installationId: "i", campaignId: nil, deliveryId: nil, value: nil, occurredAt: at),
            ], now: at)
        case .denial:
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i", consent: .denied), now: at)
        case .unregistration:
            #expect(try await store.unregister(appId: app, installationId: "i", now: at))
        }
        try await store.recordDeliveries(claimed.map {
            DeliveryUpdate(id: $0.id, campaignId: $0.campaignId, state: .accepted(gatewayMessageId: "m"), outcome: .accepted, reason: nil)
        }, now: t0 + 5)
        return try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0 + 60)
    }
}
