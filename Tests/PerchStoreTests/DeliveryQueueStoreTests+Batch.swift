import Foundation
import Testing
import PerchCore
@testable import PerchStore

extension DeliveryQueueStoreTests {
    @Test("a batch's outcomes, token retirements and gateway pauses are recorded together; a retirement the token outlived is recorded as kept",
          arguments: StoreBackend.allCases)
    func batchRecording(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (app, campaign) = try await campaign(opened, tokens: 4)
        let claimed = Dictionary(uniqueKeysWithValues: try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0).map { ($0.installationId, $0) })
        #expect(claimed.count == 4)
        // The device behind i2 registers again at t0 + 100: APNs' 410 dated t0 + 50 is older than that proof.
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(2), installation: "i2"), now: t0 + 100)
        let gone = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        let refused = DeliveryFailureReason(platform: .apns, status: 403, code: "InvalidProviderToken")
        var batch = DeliveryBatch()
        batch.add([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone),
                   .retire(reason: "Unregistered", at: t0 + 150, unlessSeenAfter: nil)], of: try #require(claimed["i0"]), locale: nil)
        batch.add([.record(.accepted(gatewayMessageId: "m1"), outcome: .accepted, reason: nil)], of: try #require(claimed["i1"]), locale: "fr")
        batch.add([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone),
                   .retire(reason: "Unregistered", at: t0 + 50, unlessSeenAfter: t0 + 50)], of: try #require(claimed["i2"]), locale: nil)
        for _ in 0..<2 {
            batch.add([.record(.retry(at: t0 + 260, attempt: 1, reason: "InvalidProviderToken"), outcome: .credentialError, reason: refused),
                       .pause(.apns, reason: "InvalidProviderToken")], of: try #require(claimed["i3"]), locale: nil)
        }
        let recorded = try await store.recordDeliveries(batch, now: t0 + 200)

        #expect(Dictionary(recorded.map { ($0.id, $0.outcome) }, uniquingKeysWith: { first, _ in first })
                == [claimed["i0"]!.id: .retired, claimed["i1"]!.id: .accepted, claimed["i2"]!.id: .kept, claimed["i3"]!.id: .credentialError])
        #expect(try await store.installation(appId: app, installationId: "i0")?.tokenStatus == .invalid(reason: "Unregistered", at: t0 + 150))
        #expect(try await store.installation(appId: app, installationId: "i2")?.tokenStatus == .active)
        #expect(try await store.gatewayPauses(appId: app) == [GatewayPause(platform: .apns, reason: "InvalidProviderToken", since: t0 + 200)])
        let rows = Dictionary(uniqueKeysWithValues: try await store.deliveries(appId: app, campaignId: campaign.id, installationId: nil)
            .map { ($0.installationId, $0) })
        #expect(rows["i0"]?.outcome == "retired" && rows["i2"]?.outcome == "kept" && rows["i2"]?.state == "failed")
        #expect(rows["i1"]?.state == "accepted" && rows["i1"]?.outcome == "accepted" && rows["i1"]?.gatewayMessageId == "m1"
                && rows["i1"]?.acceptedAt == t0 + 200 && rows["i1"]?.reason == nil)
        #expect(rows["i3"]?.state == "retry" && rows["i3"]?.reason == "InvalidProviderToken" && rows["i3"]?.gatewayStatus == 403)
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0 + 201)
        #expect(counts.retired == 1 && counts.accepted == 1)

        // A verdict said again (another batch's copy) retires nothing more: the token is no longer live.
        try await store.setGateway(appId: app, settings: GatewaySettings(platform: .apns, settings: ["teamId": "T"], summary: [:], updatedAt: t0 + 250))
        let again = try #require(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0 + 300).first)
        #expect(again.installationId == "i3")
        var repeated = DeliveryBatch()
        repeated.add([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone), .retire(reason: "BadDeviceToken", at: t0 + 300, unlessSeenAfter: nil)],
                     of: ClaimedDelivery(id: again.id, appId: app, campaignId: campaign.id, attempt: 2, variant: nil, tokenId: claimed["i0"]!.tokenId,
                                         installationId: "i3", userId: nil, destination: nil, status: .active, consent: .granted, userAttributes: [:],
                                         installationFields: [:], expiresAt: nil, createdAt: t0), locale: nil)
        #expect(try await store.recordDeliveries(repeated, now: t0 + 300).map(\.outcome) == [.kept])
        #expect(try await store.installation(appId: app, installationId: "i0")?.tokenStatus == .invalid(reason: "Unregistered", at: t0 + 150))
    }
}
