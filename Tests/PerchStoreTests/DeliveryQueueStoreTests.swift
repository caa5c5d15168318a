import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// The durable delivery queue, against every backend: rows written before sending, claims under a lease,
/// a dead worker's rows taken over, cancel, release, completion.
@Suite("Delivery queue")
struct DeliveryQueueStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// An app with `count` granted APNs installations and a started campaign to all of them, resolved.
    func campaign(_ opened: OpenedStore, tokens count: Int) async throws -> (app: String, campaign: CampaignRecord) {
        let store = opened.store
        let app = try await store.createApp(name: "Queue", bundleId: nil, webOrigin: nil, now: t0).app.id
        for index in 0..<count {
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(index), installation: "i\(index)"), now: t0)
        }
        let definition = CampaignDefinition(name: "q", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"))
        let created = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: t0)
        let started = try #require(try await store.startCampaign(appId: app, id: created.id, startAt: t0, now: t0))
        #expect(started.status == .running)
        let candidates = try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"apns\"")), now: t0)
        #expect(candidates.count == count)
        let planned = CampaignPlanner(campaignId: created.id, definition: definition).plan(candidates, history: .init(), start: t0)
        try await store.enqueue(appId: app, campaignId: created.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: t0)
        // Resolution may run again after a crash: it adds nothing.
        try await store.enqueue(appId: app, campaignId: created.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: t0)
        return (app, started)
    }

    @Test("a claim holds its rows for the lease; a dead worker's rows are claimed again after it", arguments: StoreBackend.allCases)
    func leases(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (app, campaign) = try await campaign(opened, tokens: 10)
        let first = try await store.claimDeliveries(limit: 6, leaseFor: .seconds(30), now: t0)
        #expect(first.count == 6 && first.allSatisfy { $0.attempt == 1 && $0.destination != nil && $0.consent == .granted })
        let second = try await store.claimDeliveries(limit: 100, leaseFor: .seconds(30), now: t0.addingTimeInterval(1))
        #expect(second.count == 4 && Set(second.map(\.id)).isDisjoint(with: first.map(\.id)), "claimed rows are not handed out twice")
        #expect(try await store.claimDeliveries(limit: 100, leaseFor: .seconds(30), now: t0.addingTimeInterval(29)).isEmpty)
        // The first worker died; its lease runs out and another takes its rows over, as a second attempt.
        try await store.recordDeliveries(second.map { DeliveryUpdate(id: $0.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: "m"),
                                                                     outcome: .accepted, reason: nil) }, now: t0.addingTimeInterval(2))
        let takenOver = try await store.claimDeliveries(limit: 100, leaseFor: .seconds(30), now: t0.addingTimeInterval(31))
        #expect(Set(takenOver.map(\.id)) == Set(first.map(\.id)) && takenOver.allSatisfy { $0.attempt == 2 })
        #expect(try await store.campaign(appId: app, id: campaign.id)?.status == .running)
        try await store.recordDeliveries(takenOver.map { DeliveryUpdate(id: $0.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: nil),
                                                                        outcome: .accepted, reason: nil) }, now: t0.addingTimeInterval(32))
        let done = try #require(try await store.campaign(appId: app, id: campaign.id))
        #expect(done.status == .completed && done.completedAt == t0.addingTimeInterval(32))
        let counts = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0.addingTimeInterval(33))
        #expect(counts.tokens == 10 && counts.accepted == 10 && counts.attempted == 10 && counts.queued == 0)
    }

    @Test("a claim of one campaign takes only its due rows, under the same lease", arguments: StoreBackend.allCases)
    func campaignClaims(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (app, campaign) = try await campaign(opened, tokens: 4)
        let definition = CampaignDefinition(name: "send", audience: .init(installationIds: ["i0", "i1"]), message: PushMessage(title: "t", body: "b"))
        let other = try await store.createCampaign(appId: app, definition: definition, kind: .transactional, now: t0)
        _ = try #require(try await store.startCampaign(appId: app, id: other.id, startAt: t0, now: t0))
        let candidates = try await store.candidates(appId: app, audience: .installations(["i0", "i1"]), now: t0)
        let planned = CampaignPlanner(campaignId: other.id, definition: definition).plan(candidates, history: .init(), start: t0)
        try await store.enqueue(appId: app, campaignId: other.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: t0)

        let mine = try await store.claimDeliveries(appId: app, campaignId: other.id, limit: 10, leaseFor: .seconds(30), now: t0)
        #expect(mine.count == 2 && mine.allSatisfy { $0.campaignId == other.id && $0.attempt == 1 && $0.destination != nil })
        #expect(try await store.claimDeliveries(appId: app, campaignId: other.id, limit: 10, leaseFor: .seconds(30), now: t0 + 1).isEmpty,
                "leased rows are not claimed twice")
        #expect(try await store.claimDeliveries(appId: "app_other", campaignId: campaign.id, limit: 10, leaseFor: .seconds(30), now: t0).isEmpty)
        let rest = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0 + 1)
        #expect(rest.count == 4 && rest.allSatisfy { $0.campaignId == campaign.id }, "the general claim takes the others")
    }

    @Test("a holder extends its claim's lease; a row claimed since by another worker, or recorded, is not extended",
          arguments: StoreBackend.allCases)
    func extendedLeases(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (_, campaign) = try await campaign(opened, tokens: 4)
        let held = try await store.claimDeliveries(limit: 4, leaseFor: .seconds(30), now: t0)
        #expect(try await store.extendDeliveryLeases(held.map { DeliveryLease($0) }, until: t0.addingTimeInterval(50)) == 4)
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(40)).isEmpty,
                "an extended lease outlives the claim's own")
        // One row is recorded; the others' holder stops extending (it died) and another worker takes them over.
        try await store.recordDeliveries([DeliveryUpdate(id: held[0].id, campaignId: campaign.id, state: .accepted(gatewayMessageId: nil),
                                                         outcome: .accepted, reason: nil)], now: t0.addingTimeInterval(45))
        let takenOver = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(50))
        #expect(Set(takenOver.map(\.id)) == Set(held.dropFirst().map(\.id)) && takenOver.allSatisfy { $0.attempt == 2 })
        #expect(try await store.extendDeliveryLeases(held.map { DeliveryLease($0) }, until: t0.addingTimeInterval(500)) == 0,
                "the first holder's stale claims extend nothing")
        #expect(try await store.extendDeliveryLeases(takenOver.map { DeliveryLease($0) }, until: t0.addingTimeInterval(100)) == 3)
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(99)).isEmpty)
        #expect(try await store.extendDeliveryLeases([], until: t0.addingTimeInterval(100)) == 0)
    }

    @Test("retries come back when due; a release gives the attempt back; cancel suppresses what is left", arguments: StoreBackend.allCases)
    func retriesReleaseCancel(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (app, campaign) = try await campaign(opened, tokens: 3)
        let claimed = try await store.claimDeliveries(limit: 3, leaseFor: .seconds(30), now: t0)
        let busy = DeliveryFailureReason(platform: .apns, status: 429, code: "TooManyRequests")
        try await store.recordDeliveries(DeliveryBatch(
            updates: [DeliveryUpdate(id: claimed[0].id, campaignId: campaign.id, state: .retry(at: t0.addingTimeInterval(60), attempt: 1, reason: busy.code),
                                     outcome: .retry, reason: busy)],
            releases: [DeliveryRelease(id: claimed[1].id, campaignId: campaign.id, dueAt: t0.addingTimeInterval(5))]), now: t0)
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(4)).isEmpty)
        let released = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(5))
        #expect(released.map(\.id) == [claimed[1].id] && released[0].attempt == 1, "a release is not an attempt")
        try await store.recordDeliveries([claimed[1], claimed[2]].map {
            DeliveryUpdate(id: $0.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: nil), outcome: .accepted, reason: nil)
        }, now: t0.addingTimeInterval(6))
        #expect(try await store.campaign(appId: app, id: campaign.id)?.status == .running, "a delivery waiting to retry keeps its campaign running")
        let retried = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(60))
        #expect(retried.map(\.id) == [claimed[0].id] && retried[0].attempt == 2)
        try await store.recordDeliveries([DeliveryUpdate(id: claimed[0].id, campaignId: campaign.id,
                                                         state: .retry(at: t0.addingTimeInterval(120), attempt: 2, reason: busy.code), outcome: .retry, reason: busy)],
                                         now: t0.addingTimeInterval(61))
        _ = try await store.cancelCampaign(appId: app, id: campaign.id, now: t0.addingTimeInterval(62))
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0.addingTimeInterval(500)).isEmpty, "nothing of a cancelled campaign is claimed")
        let rows = try await store.deliveries(appId: app, campaignId: campaign.id, installationId: nil)
        #expect(rows.filter { $0.reason == "cancelled" }.map(\.id) == [claimed[0].id])
        await #expect(throws: PerchError.self) { try await store.cancelCampaign(appId: app, id: campaign.id, now: t0.addingTimeInterval(63)) }
    }

    @Test("a paused gateway's deliveries wait until new credentials arrive", arguments: StoreBackend.allCases)
    func pauses(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let (app, _) = try await campaign(opened, tokens: 2)
        try await store.pauseGateway(appId: app, platform: .apns, reason: "InvalidProviderToken", now: t0)
        #expect(try await store.gatewayPauses(appId: app).map(\.reason) == ["InvalidProviderToken"])
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0).isEmpty)
        try await store.setGateway(appId: app, settings: GatewaySettings(platform: .apns, settings: ["teamId": "T"], summary: [:], updatedAt: t0))
        #expect(try await store.gatewayPauses(appId: app).isEmpty)
        #expect(try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0).count == 2)
    }

    @Test("concurrent claimers never share a row and together claim all of them; rows of a lapsed lease come back once",
          arguments: StoreBackend.allCases)
    func concurrentClaimers(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let (app, campaign) = try await campaign(opened, tokens: 1_000)
        // Four store instances, each with its own connections, as four worker processes would have.
        var reopened: [OpenedStore] = []
        for _ in 1..<4 { reopened.append(try await backend.reopen(opened)) }
        defer { withExtendedLifetime(reopened) {} }   // they hold the PostgreSQL pools
        let claimers = [opened.store] + reopened.map(\.store)
        let t0 = self.t0

        /// Every claimer claims in small batches until nothing is left for it; answers each claimer's rows.
        func claimAll(now: Date) async throws -> [[ClaimedDelivery]] {
            try await withThrowingTaskGroup(of: [ClaimedDelivery].self) { group in
                for claimer in claimers {
                    group.addTask {
                        var claimed: [ClaimedDelivery] = []
                        while true {
                            let batch = try await claimer.claimDeliveries(limit: 37, leaseFor: .seconds(60), now: now)
                            if batch.isEmpty { return claimed }
                            claimed += batch
                        }
                    }
                }
                var sets: [[ClaimedDelivery]] = []
                for try await set in group { sets.append(set) }
                return sets
            }
        }

        let first = try await claimAll(now: t0)
        let ids = first.flatMap { $0.map(\.id) }
        #expect(ids.count == 1_000, "each row was handed out once")
        #expect(Set(ids).count == 1_000, "no two claimers got the same row")
        #expect(first.joined().allSatisfy { $0.attempt == 1 && $0.destination != nil })
        #expect(try await claimers[1].claimDeliveries(limit: 1_000, leaseFor: .seconds(60), now: t0.addingTimeInterval(59)).isEmpty,
                "nothing is due while the leases run")

        // The worker that claimed most dies before recording; the others record what they sent, all at once.
        let deadIndex = try #require(first.indices.max { first[$0].count < first[$1].count })
        let dead = Set(first[deadIndex].map(\.id))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, claimer) in claimers.enumerated() where index != deadIndex {
                let updates = first[index].map {
                    DeliveryUpdate(id: $0.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: nil), outcome: .accepted, reason: nil)
                }
                group.addTask { try await claimer.recordDeliveries(updates, now: t0.addingTimeInterval(10)) }
            }
            try await group.waitForAll()
        }
        #expect(try await claimers[0].campaign(appId: app, id: campaign.id)?.status == .running, "the dead worker's rows are still to send")

        // Its lease runs out: its rows, and only they, are claimed again, each by one claimer, as a second attempt.
        let second = try await claimAll(now: t0.addingTimeInterval(61))
        let retaken = second.flatMap { $0.map(\.id) }
        #expect(retaken.count == dead.count && Set(retaken) == dead)
        #expect(second.joined().allSatisfy { $0.attempt == 2 })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, claimer) in claimers.enumerated() {
                let updates = second[index].map {
                    DeliveryUpdate(id: $0.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: nil), outcome: .accepted, reason: nil)
                }
                group.addTask { try await claimer.recordDeliveries(updates, now: t0.addingTimeInterval(62)) }
            }
            try await group.waitForAll()
        }
        // Whichever worker recorded the last rows completed the campaign, though they recorded at the same time.
        #expect(try await claimers[0].campaign(appId: app, id: campaign.id)?.status == .completed)
        let counts = try await claimers[2].campaignCounts(appId: app, campaignId: campaign.id, now: t0.addingTimeInterval(63))
        #expect(counts.tokens == 1_000 && counts.accepted == 1_000 && counts.queued == 0)
    }
}
