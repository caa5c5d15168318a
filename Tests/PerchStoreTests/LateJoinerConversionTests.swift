import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// Lift counts a campaign person's conversions since the campaign started, whenever the person joined it: a campaign
/// resolved in chunks, a recurring one or a trigger adds people after some of them have already converted.
@Suite("Conversions of people who join a running campaign")
struct LateJoinerConversionTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a person who converted after the start and before joining counts as a converter with their revenue; one who converted before the start does not",
          arguments: StoreBackend.allCases)
    func lateJoiners(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: t0 - 600).app.id
        for seed in 0..<3 { _ = try await store.register(appId: app, Sample.registration(Sample.apns(seed), installation: "i\(seed)"), now: t0 - 600) }
        func conversion(_ installation: String, at: Date, value: Double) -> ClientEvent {
            ClientEvent(type: .converted, installationId: installation, campaignId: nil, deliveryId: nil, value: value, occurredAt: at)
        }
        // i2 converts before the campaign starts; i1 after it started, before the chunk that brings it in.
        _ = try await store.record(appId: app, events: [conversion("i2", at: t0 - 60, value: 3)], now: t0 - 60)
        let definition = CampaignDefinition(name: "chunks", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"),
                                            attributionWindowDays: 3)
        let (campaign, planned) = try await Sample.startedCampaign(definition, app: app, on: store, at: t0)
        #expect(planned.map(\.candidate.installationId) == ["i0", "i1", "i2"])
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: Array(planned.prefix(1)), timeToLive: 86_400,
                                finished: false, now: t0)
        var counts = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0 + 30)
        #expect(counts.treatment.converted == 0 && counts.treatment.revenue == 0)

        _ = try await store.record(appId: app, events: [conversion("i1", at: t0 + 60, value: 7), conversion("i1", at: t0 + 90, value: 2)], now: t0 + 90)
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: Array(planned.suffix(2)), timeToLive: 86_400,
                                finished: true, now: t0 + 120)
        counts = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0 + 180)
        #expect(counts.treatment.people == 3)
        #expect(counts.treatment.converted == 1 && counts.treatment.revenue == 9, "i1's two conversions; i2's came before the start")
        #expect(try await store.verifyRollups(repair: false).differences.isEmpty)
    }
}
