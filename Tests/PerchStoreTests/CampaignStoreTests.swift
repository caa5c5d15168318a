import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// Campaigns, segments, triggers, attribution and exports, against every backend.
@Suite("Campaign store")
struct CampaignStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func app(_ store: any PerchStore, installations: Int) async throws -> String {
        let app = try await store.createApp(name: "Campaigns", bundleId: nil, webOrigin: nil, now: t0).app.id
        for index in 0..<installations {
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(index), installation: "i\(index)",
                                                                          user: index < 4 ? "u\(index % 2)" : nil), now: t0)
        }
        return app
    }

    func definition(_ name: String, filter: String = "platform == \"apns\"", trigger: CampaignDefinition.Trigger? = nil) -> CampaignDefinition {
        CampaignDefinition(name: name, audience: .init(filter: filter), message: PushMessage(title: "t", body: "b"), trigger: trigger)
    }

    @Test("a campaign is edited while a draft or scheduled, starts once when its time comes, and is listed newest first",
          arguments: StoreBackend.allCases)
    func lifecycle(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await app(store, installations: 2)
        let segment = try await store.createSegment(appId: app, name: "apns", filter: "platform == \"apns\"", now: t0)
        #expect(try await store.segment(appId: app, id: segment.id) == segment)
        #expect(try await store.segments(appId: app) == [segment])

        let first = try await store.createCampaign(appId: app, definition: definition("first"), kind: .campaign, now: t0)
        let second = try await store.createCampaign(appId: app, definition: definition("second"), kind: .campaign, now: t0 + 1)
        _ = try await store.createCampaign(appId: app, definition: definition("send"), kind: .transactional, now: t0 + 2)
        #expect(try await store.campaigns(appId: app).map(\.id) == [second.id, first.id], "transactional sends are not listed")

        let edited = try #require(try await store.updateCampaign(appId: app, id: first.id, definition: definition("renamed"), now: t0 + 3))
        #expect(edited.definition.name == "renamed" && edited.updatedAt == t0 + 3 && edited.status == .draft)
        let scheduled = try #require(try await store.startCampaign(appId: app, id: first.id, startAt: t0 + 100, now: t0 + 4))
        #expect(scheduled.status == .scheduled && scheduled.startAt == t0 + 100)
        await #expect(throws: PerchError.self) { try await store.startCampaign(appId: app, id: first.id, startAt: t0, now: t0 + 5) }
        #expect(try await store.campaignsToResolve(now: t0 + 99).isEmpty)

        let due = try await store.campaignsToResolve(now: t0 + 100)
        #expect(due.map(\.id) == [first.id] && due[0].status == .running && due[0].startedAt == t0 + 100)
        #expect(try await store.campaign(appId: app, id: first.id)?.status == .running)
        #expect(try await store.campaignsToResolve(now: t0 + 101).map(\.id) == [first.id], "unresolved, it is answered again")
        #expect(try await store.campaignsToResolve(now: t0 + 101).first?.startedAt == t0 + 100, "its start time stays")
        await #expect(throws: PerchError.self) { try await store.updateCampaign(appId: app, id: first.id, definition: definition("x"), now: t0 + 102) }

        try await store.enqueue(appId: app, campaignId: first.id, occurrence: "", planned: [], timeToLive: nil, finished: true, now: t0 + 103)
        #expect(try await store.campaignsToResolve(now: t0 + 104).isEmpty)
        let done = try #require(try await store.campaign(appId: app, id: first.id))
        #expect(done.resolvedAt == t0 + 103 && done.status == .completed, "an empty audience completes at once")
        #expect(try await store.campaign(appId: "app_other", id: first.id) == nil)
    }

    @Test("a custom event starts a waiting send of each running triggered campaign, which a cancel drops", arguments: StoreBackend.allCases)
    func triggers(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await app(store, installations: 3)
        let trigger = CampaignDefinition.Trigger(event: "cart_abandoned", delaySeconds: 600, cancelIf: "purchase")
        let triggered = try await store.createCampaign(appId: app, definition: definition("cart", trigger: trigger), kind: .triggered, now: t0)
        let draft = try await store.createCampaign(appId: app, definition: definition("draft", trigger: trigger), kind: .triggered, now: t0)
        let started = try #require(try await store.startCampaign(appId: app, id: triggered.id, startAt: t0, now: t0))
        #expect(started.status == .running && started.resolvedAt == t0)

        let outcomes = try await store.record(appId: app, events: [
            ClientEvent(type: .custom("cart_abandoned"), installationId: "i0", occurredAt: t0 + 10),
            ClientEvent(type: .custom("other"), installationId: "i1", occurredAt: t0 + 10),
            ClientEvent(type: .custom("cart_abandoned"), installationId: "nobody", occurredAt: t0 + 10),
            ClientEvent(type: .custom("cart_abandoned"), installationId: "i2", occurredAt: t0 + 20),
        ], now: t0 + 30)
        #expect(outcomes.filter { if case .stored = $0 { true } else { false } }.count == 3)
        #expect(try await store.dueTriggers(now: t0 + 609, limit: 10).isEmpty)
        let due = try await store.dueTriggers(now: t0 + 620, limit: 10)
        #expect(due.map(\.installationId) == ["i0", "i2"] && due.allSatisfy { $0.campaignId == triggered.id && $0.appId == app })
        #expect(due[0].userId == "u0" && due[0].eventAt == t0 + 10 && due[0].fireAt == t0 + 610)
        #expect(try await store.dueTriggers(now: t0 + 620, limit: 1).map(\.installationId) == ["i0"], "oldest first")
        #expect(!due.contains { $0.campaignId == draft.id }, "a draft does not listen")

        // The cancel condition: did the person (any of the user's installations) purchase after the trigger?
        _ = try await store.record(appId: app, events: [ClientEvent(type: .custom("purchase"), installationId: "i2", occurredAt: t0 + 100)], now: t0 + 100)
        #expect(try await store.personDid(appId: app, event: "purchase", installationId: "i2", userId: "u0", after: t0 + 20, now: t0 + 620))
        #expect(try await store.personDid(appId: app, event: "purchase", installationId: "i0", userId: "u0", after: t0 + 10, now: t0 + 620),
                "i0 and i2 are the same user")
        #expect(!(try await store.personDid(appId: app, event: "purchase", installationId: "i0", userId: nil, after: t0 + 10, now: t0 + 620)))
        #expect(!(try await store.personDid(appId: app, event: "purchase", installationId: "i2", userId: "u0", after: t0 + 101, now: t0 + 620)))

        try await store.finishTrigger(appId: app, id: due[0].id, state: .fired, now: t0 + 620)
        #expect(try await store.dueTriggers(now: t0 + 620, limit: 10).map(\.id) == [due[1].id])
        _ = try await store.cancelCampaign(appId: app, id: triggered.id, now: t0 + 621)
        #expect(try await store.dueTriggers(now: t0 + 9_999, limit: 10).isEmpty)
    }

    @Test("an event counts for a campaign only when a delivery of it reached the event's installation or person",
          arguments: StoreBackend.allCases)
    func attributionNeedsADelivery(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        // i0 and i2 are u0's, i1 and i3 are u1's, i4 and i5 are anonymous.
        let app = try await app(store, installations: 6)
        let definition = CampaignDefinition(name: "sent", audience: .init(installationIds: ["i0", "i4"]),
                                            message: PushMessage(title: "t", body: "b"), holdoutPercent: 0)
        let sent = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: t0)
        let other = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: t0)
        _ = try await store.startCampaign(appId: app, id: sent.id, startAt: t0, now: t0)
        let candidates = try await store.candidates(appId: app, audience: .installations(["i0", "i4"]), now: t0)
        let planned = CampaignPlanner(campaignId: sent.id, definition: definition)
            .plan(candidates.sorted { $0.installationId < $1.installationId }, history: .init(), start: t0)
        try await store.enqueue(appId: app, campaignId: sent.id, occurrence: "", planned: planned, timeToLive: nil, finished: true, now: t0)
        let rows = try await store.deliveries(appId: app, campaignId: sent.id, installationId: nil)
        let toI0 = try #require(rows.first { $0.installationId == "i0" })

        let outcomes = try await store.record(appId: app, events: [
            ClientEvent(type: .converted, installationId: "i0", campaignId: sent.id, value: 10, occurredAt: t0 + 1),   // its own delivery
            ClientEvent(type: .converted, installationId: "i2", campaignId: sent.id, value: 5, occurredAt: t0 + 1),    // the same person's
            ClientEvent(type: .converted, installationId: "i5", campaignId: sent.id, value: 1_000, occurredAt: t0 + 1), // never sent to
            ClientEvent(type: .opened, installationId: "i1", deliveryId: toI0.id, occurredAt: t0 + 1),               // someone else's delivery
            ClientEvent(type: .opened, installationId: "i0", campaignId: other.id, occurredAt: t0 + 1),              // a campaign that never reached it
            ClientEvent(type: .opened, installationId: "i0", campaignId: other.id, deliveryId: toI0.id, occurredAt: t0 + 1), // a delivery of another campaign
        ], now: t0 + 2)
        #expect(outcomes.count == 6 && outcomes.allSatisfy { if case .stored = $0 { true } else { false } },
                "unattributed events are still stored")
        // The same person, past the campaign's attribution window (3 days by default): unattributed.
        _ = try await store.record(appId: app, events: [
            ClientEvent(type: .converted, installationId: "i2", campaignId: sent.id, value: 7, occurredAt: t0 + 4 * 86_400),
        ], now: t0 + 4 * 86_400)

        let counts = try await store.campaignCounts(appId: app, campaignId: sent.id, now: t0 + 3)
        #expect(counts.converted == 2 && counts.revenue == 15 && counts.opened == 0)
        let attributed = try await store.exportRows(appId: app, of: .events, campaignId: sent.id, after: nil, limit: 100).rows
        #expect(attributed.compactMap { $0["installationId"]?.stringValue }.sorted() == ["i0", "i2"])
        #expect(try await store.exportRows(appId: app, of: .events, campaignId: other.id, after: nil, limit: 100).rows.isEmpty)
        let all = try await store.exportRows(appId: app, of: .events, campaignId: nil, after: nil, limit: 100).rows
        #expect(all.count == 7 && all.filter { $0["campaignId"]?.stringValue == nil }.count == 5)
    }

    @Test("events naming a delivery count for its campaign; history, explain rows and exports read the queue",
          arguments: StoreBackend.allCases)
    func attributionAndReads(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await app(store, installations: 6)
        let definition = CampaignDefinition(name: "v", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"),
                                            holdoutPercent: 0)
        let campaign = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: t0)
        _ = try await store.startCampaign(appId: app, id: campaign.id, startAt: t0, now: t0)
        let candidates = try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"apns\"")), now: t0)
        #expect(candidates.count == 6)
        #expect(try await store.candidates(appId: app, audience: .users(["u1"]), now: t0).map(\.installationId).sorted() == ["i1", "i3"])
        #expect(try await store.candidates(appId: app, audience: .installations(["i4", "i5", "none"]), now: t0).map(\.installationId).sorted() == ["i4", "i5"])
        #expect(try await store.candidates(appId: app, audience: .person(installationId: "i5", userId: "u1", within: nil), now: t0)
            .map(\.installationId).sorted() == ["i1", "i3", "i5"])
        #expect(try await store.candidates(appId: app, audience: .person(installationId: "i5", userId: "u1", within: .users(["u1"])), now: t0)
            .map(\.installationId).sorted() == ["i1", "i3"])

        var planned = CampaignPlanner(campaignId: campaign.id, definition: definition)
            .plan(candidates.sorted { $0.installationId < $1.installationId }, history: .init(), start: t0)
        #expect(planned[5].candidate.installationId == "i5")
        planned[5].decision = .exclude(.noConsent(.denied))
        try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: 3_600, finished: true, now: t0)
        let claimed = try await store.claimDeliveries(limit: 10, leaseFor: .seconds(30), now: t0)
        #expect(claimed.count == 5 && claimed.allSatisfy { $0.expiresAt == t0 + 3_600 && $0.installationFields["timezone"] == "Europe/Berlin" })
        let claimedBy = Dictionary(uniqueKeysWithValues: claimed.map { ($0.installationId, $0) })
        let rejected = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered", detail: "gone")
        try await store.recordDeliveries(claimed.map { delivery in
            delivery.installationId == "i4"
                ? DeliveryUpdate(id: delivery.id, campaignId: campaign.id, state: .failed(reason: "Unregistered"), outcome: .retired, reason: rejected)
                : DeliveryUpdate(id: delivery.id, campaignId: campaign.id, state: .accepted(gatewayMessageId: "m-" + delivery.installationId),
                                 outcome: .accepted, reason: nil)
        }, now: t0 + 5)

        // Events that name only the delivery are attributed to its campaign.
        let accepted = try #require(claimedBy["i0"])
        _ = try await store.record(appId: app, events: [
            ClientEvent(type: .received, installationId: accepted.installationId, deliveryId: accepted.id, occurredAt: t0 + 6),
            ClientEvent(type: .opened, installationId: accepted.installationId, deliveryId: accepted.id, occurredAt: t0 + 7),
            ClientEvent(type: .converted, installationId: accepted.installationId, campaignId: campaign.id, value: 12.5, currency: "EUR", occurredAt: t0 + 8),
            ClientEvent(type: .opened, installationId: accepted.installationId, deliveryId: "dlv_unknown", occurredAt: t0 + 9),
        ], now: t0 + 10)
        _ = try await store.setConsent(appId: app, installationId: "i1", record: .init(status: .revoked, source: "settings", at: t0 + 60))
        _ = try await store.unregister(appId: app, installationId: "i2", now: t0 + 70)

        let counts = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: t0 + 100)
        #expect(counts.tokens == 6 && counts.attempted == 5 && counts.accepted == 4 && counts.queued == 0)
        #expect(counts.retired == 1 && counts.failedByReason == ["Unregistered": 1] && counts.suppressedByReason == ["consent_denied": 1])
        #expect(counts.received == 1 && counts.opened == 1 && counts.converted == 1 && counts.revenue == 12.5)
        #expect(counts.revocationsWithin7Days == 1 && counts.unregistrationsWithin7Days == 1)
        #expect(counts.treatment.people == 4 && counts.treatment.converted == 1 && counts.treatment.revenue == 12.5 && counts.holdout.people == 0)
        #expect(try await store.campaign(appId: app, id: campaign.id)?.status == .completed)

        let rows = try await store.deliveries(appId: app, campaignId: campaign.id, installationId: nil)
        #expect(rows.count == 6 && rows.filter(\.isFinal).count == 6)
        let failed = try #require(rows.first { $0.installationId == "i4" })
        #expect(failed.state == "failed" && failed.outcome == "retired" && failed.reason == "Unregistered" && failed.reasonDetail == "gone"
                && failed.gatewayStatus == 410 && failed.attempts == 1)
        let one = try await store.deliveries(appId: app, campaignId: campaign.id, installationId: accepted.installationId)
        #expect(one.count == 1 && one[0].gatewayMessageId == "m-i0" && one[0].acceptedAt == t0 + 5)
        #expect(try await store.deliveries(appId: app, campaignId: nil, installationId: accepted.installationId) == one,
                "an installation's deliveries across campaigns (the dashboard's user lookup)")

        // Caps look back at what each person was sent: one entry per person and campaign occurrence, failed and
        // suppressed rows left out; users' opens by the hour of their own time zone (08:00 UTC is 09:00 in Berlin).
        let history = try await store.history(appId: app, since: t0 - 1, openHours: true, now: t0 + 100)
        #expect(history.sendsByPerson == ["user:u0": [t0 + 5], "user:u1": [t0 + 5]])
        #expect(history.openHoursByUser == ["u0": [9, 9]])
        #expect(try await store.history(appId: app, since: t0 + 30, openHours: false, now: t0 + 100).sendsByPerson.isEmpty,
                "a row counts by its due time, which a claim moves to the lease end (t0 + 30)")

        // Exports page through in a stable order.
        var exported: [String] = []
        var cursor: String?
        repeat {
            let page = try await store.exportRows(appId: app, of: .deliveries, campaignId: campaign.id, after: cursor, limit: 4)
            exported += page.rows.compactMap { $0["id"]?.stringValue }
            #expect(page.rows.allSatisfy { Set($0.keys) == Set(ExportKind.deliveries.columns) })
            cursor = page.next
        } while cursor != nil
        #expect(exported == rows.map(\.id).sorted())
        let events = try await store.exportRows(appId: app, of: .events, campaignId: campaign.id, after: nil, limit: 100)
        #expect(events.rows.count == 3 && events.next == nil)
        let tokens = try await store.exportRows(appId: app, of: .tokens, campaignId: nil, after: nil, limit: 100)
        #expect(tokens.rows.count == 6 && tokens.rows.allSatisfy { Set($0.keys) == Set(ExportKind.tokens.columns) })

        // Erasing a user takes their deliveries with them.
        #expect(try await store.eraseUser(appId: app, userId: "u0"))
        #expect(try await store.deliveries(appId: app, campaignId: campaign.id, installationId: nil).count == 4)
    }
}
