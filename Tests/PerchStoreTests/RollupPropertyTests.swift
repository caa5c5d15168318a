import Foundation
import Testing
import PerchCore
import PerchSQL
@testable import PerchSQLite
@testable import PerchStore

/// The rollups equal what the facts recompute, whatever happens in whatever order.
@Suite("Rollups: what is served equals what the facts say")
struct RollupPropertyTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("random registrations, consent changes, sends, outcomes, events, hygiene and erasures keep every rollup true",
          arguments: StoreBackend.allCases)
    func rollupsEqualRecomputation(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        var world = try await World(opened: opened, t0: t0)
        var random = SeededGenerator(seed: 20_261_204)
        var healthRandom = SeededGenerator(seed: 7)
        for step in 0..<160 {
            try await world.randomStep(using: &random)
            if step % 4 == 0 { try await world.randomHealthStep(using: &healthRandom) }
            if step % 20 == 19 { try await world.expectRollupsTrue("after step \(step)") }
        }
        try await world.healthTail()
        try await world.campaignTail()
        // Past every attribution window: the days a window end cuts through are counted from their facts.
        world.now += 9 * 86_400
        let (seen, campaignsOverDays) = try await world.expectRollupsTrue("after the windows closed")
        // The traffic reached every kind of number, so the comparison compared something.
        #expect(seen.accepted > 0 && seen.attempted > seen.accepted && seen.received > 0 && seen.converted > 0 && seen.revenue > 0, "\(seen)")
        #expect(!seen.suppressedByReason.isEmpty && seen.retired > 0 && seen.holdout.people > 0 && seen.treatment.converted > 0)
        #expect(seen.revocationsWithin7Days > 0 && seen.unregistrationsWithin7Days > 0 && seen.variants.count == 2)
        // Some campaign's numbers spread over more than one day.
        #expect(campaignsOverDays > 0)
        let verification = try await opened.store.verifyRollups(repair: false)
        #expect(verification.differences.isEmpty && verification.groupsChecked > 0 && !verification.repaired)
        // And the token-health rollups saw users with duplicates, prompts with and without grants, and retirements.
        let health = try await opened.store.tokenHealth(appId: world.app, filter: .init())
        #expect(health.usersWithLiveTokens > 0 && (health.duplicateTokenRate ?? 0) > 0 && health.optIn.prompted > 0
                && health.optIn.granted > 0 && !health.retirementsByReason.isEmpty, "\(health)")
        let breakdown = try await opened.store.optInBreakdown(appId: world.app, filter: .init(), since: nil, until: nil)
        #expect(Set(breakdown.map(\.strategy)) == ["soft", "direct", "unknown"] && breakdown.contains { $0.granted > 0 }, "\(breakdown)")
    }

    @Test("verify names a rollup that drifted from the facts, and --repair rebuilds it", arguments: StoreBackend.allCases)
    func verifyAndRepair(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        var world = try await World(opened: opened, t0: t0)
        var random = SeededGenerator(seed: 7)
        for _ in 0..<40 { try await world.randomStep(using: &random) }
        try await world.execute("UPDATE campaign_delivery_rollups SET n = n + 5")
        try await world.execute("DELETE FROM campaign_event_rollups")

        let found = try await opened.store.verifyRollups(repair: false)
        #expect(!found.differences.isEmpty && !found.repaired)
        #expect(found.differences.contains { $0.rollup == "campaign_delivery_rollups" })
        #expect(found.differences.contains { $0.rollup == "campaign_event_rollups" && $0.stored == "absent" })
        let repaired = try await opened.store.verifyRollups(repair: true)
        #expect(repaired.repaired && repaired.differences == found.differences)
        #expect(try await opened.store.verifyRollups(repair: false).differences.isEmpty)
        try await world.expectRollupsTrue("after the repair")
    }

    @Test("workers recording outcomes for one campaign at once lose no increment", arguments: StoreBackend.allCases)
    func concurrentWorkers(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        var world = try await World(opened: opened, t0: t0)
        for _ in 0..<108 { try await world.register(user: nil) }
        var random = SeededGenerator(seed: 3)
        try await world.startCampaign(using: &random)
        let store = opened.store
        var batches: [[ClaimedDelivery]] = []
        for _ in 0..<4 { batches.append(try await store.claimDeliveries(limit: 30, leaseFor: .seconds(60), now: world.now)) }
        let now = world.now + 5
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask {
                    try await store.recordDeliveries(batch.map { delivery in
                        index % 2 == 0
                            ? DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: .accepted(gatewayMessageId: nil),
                                             outcome: .accepted, reason: nil, locale: index == 0 ? "de" : nil)
                            : DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: .failed(reason: "BadDeviceToken"),
                                             outcome: .failed, reason: DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken"))
                    }, now: now)
                }
            }
            try await group.waitForAll()
        }
        let claimed = batches.map(\.count).reduce(0, +)
        let counts = try await store.campaignCounts(appId: world.app, campaignId: world.campaigns[0].id, now: now)
        #expect(counts.accepted + (counts.failedByReason["BadDeviceToken"] ?? 0) == claimed && claimed > 0, "\(counts)")
        try await world.expectRollupsTrue("after concurrent workers")
    }

    /// A small app under random traffic, and the checks that compare the rollups with the facts.
    struct World {
        let opened: OpenedStore
        var store: any PerchStore { opened.store }
        let app: String
        var now: Date
        var campaigns: [CampaignRecord] = []
        var deliveryIds: [String] = []
        var installations = 0
        var users: Set<String> = []
        var tokenSeeds = 0

        init(opened: OpenedStore, t0: Date) async throws {
            self.opened = opened
            now = t0
            app = try await opened.store.createApp(name: "rollups", bundleId: nil, webOrigin: nil, now: t0).app.id
            for _ in 0..<12 { try await register() }
        }

        mutating func register(user: String? = nil) async throws {
            let index = installations
            installations += 1
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(index), installation: "i\(index)", user: user), now: now)
            if let user { users.insert(user) }
        }

        mutating func randomStep(using random: inout SeededGenerator) async throws {
            now += Double(Int.random(in: 1...7_200, using: &random))
            let installation = "i\(Int.random(in: 0..<max(1, installations), using: &random))"
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<8:
                try await register(user: Bool.random(using: &random) ? "u\(Int.random(in: 0..<5, using: &random))" : nil)
            case 8..<14:
                let status: ConsentStatus = [.revoked, .denied, .granted].randomElement(using: &random)!
                _ = try await store.setConsent(appId: app, installationId: installation, record: ConsentRecord(status: status, source: "settings", at: now))
            case 14..<18:
                _ = try await store.unregister(appId: app, installationId: installation, now: now)
            case 18..<26:
                try await startCampaign(using: &random)
            case 26..<50:
                try await recordOutcomes(using: &random)
            case 50..<80:
                try await recordEvents(using: &random)
            case 80..<84:
                _ = try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: false)
            case 84..<88:
                if let user = users.randomElement(using: &random) {
                    _ = try await store.eraseUser(appId: app, userId: user)
                    users.remove(user)
                }
            case 88..<92:
                if let campaign = campaigns.randomElement(using: &random), campaign.status != .completed {
                    _ = try? await store.cancelCampaign(appId: app, id: campaign.id, now: now)
                }
            default:
                let ids = try await store.deliveries(appId: app, campaignId: nil, installationId: installation).map(\.id)
                deliveryIds += ids
            }
        }

        /// Whatever the random traffic reached: a user with two live tokens on one platform, prompts of each strategy
        /// and a grant, and a token rotated and one retired.
        mutating func healthTail() async throws {
            let first = installations
            installations += 4
            for (offset, destination) in [Sample.apns(30_000), Sample.apns(30_001), Sample.fcm(30_002), Sample.apns(30_004)].enumerated() {
                _ = try await store.register(appId: app, Sample.registration(destination, installation: "i\(first + offset)", user: "tail",
                                                                            appVersion: offset == 2 ? "2.0.0" : "1.0.0"), now: now)
            }
            users.insert("tail")
            _ = try await store.record(appId: app, events: [
                ClientEvent(type: .promptShown, installationId: "i\(first)", occurredAt: now - 60, properties: ["strategy": .string("soft")]),
                ClientEvent(type: .permissionGranted, installationId: "i\(first)", occurredAt: now - 30),
                ClientEvent(type: .promptShown, installationId: "i\(first + 1)", occurredAt: now - 60, properties: ["strategy": .string("direct")]),
                ClientEvent(type: .promptShown, installationId: "i\(first + 2)", occurredAt: now - 60),
            ], now: now)
            _ = try await store.register(appId: app, Sample.registration(Sample.fcm(30_003), installation: "i\(first + 2)", user: "tail",
                                                                        appVersion: "2.1.0"), now: now + 1)
            _ = try await store.unregister(appId: app, installationId: "i\(first + 3)", now: now + 2)
            try await expectRollupsTrue("after the health tail")
        }

        /// Whatever the random traffic left out of the campaign numbers (the ids it meets are random, so what it reaches
        /// varies from run to run): a campaign to two new installations, one delivery failed and one accepted, and the
        /// accepted one received, opened and converted with revenue.
        mutating func campaignTail() async throws {
            try await register()
            try await register()
            try await startCampaign(variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)], holdoutPercent: 0,
                                    attributionWindowDays: 3)
            let campaign = campaigns[campaigns.count - 1].id
            let ours = try await store.claimDeliveries(limit: 1_000, leaseFor: .seconds(60), now: now).filter { $0.campaignId == campaign }
            let newest = ["i\(installations - 2)", "i\(installations - 1)"]
            let failed = try #require(ours.first { $0.installationId == newest[0] })
            let accepted = try #require(ours.first { $0.installationId == newest[1] })
            try await store.recordDeliveries([
                DeliveryUpdate(id: failed.id, campaignId: campaign, state: .failed(reason: "BadDeviceToken"), outcome: .failed,
                               reason: DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken")),
                DeliveryUpdate(id: accepted.id, campaignId: campaign, state: .accepted(gatewayMessageId: "m"), outcome: .accepted, reason: nil),
            ], now: now)
            _ = try await store.record(appId: app, events: [EventType.received, .opened, .converted].map { type in
                ClientEvent(type: type, installationId: accepted.installationId, deliveryId: accepted.id,
                            value: type == .converted ? 12.5 : nil, occurredAt: now + 60)
            }, now: now + 60)
            try await expectRollupsTrue("after the campaign tail")
        }

        /// What token health sees: installations coming back with a new token (maybe another user, platform or app
        /// version), a known user's second device, and permission prompts and answers.
        mutating func randomHealthStep(using random: inout SeededGenerator) async throws {
            let installation = "i\(Int.random(in: 0..<max(1, installations), using: &random))"
            switch Int.random(in: 0..<25, using: &random) {
            case 0..<6:
                // The installation comes back: a new token, maybe another user or app version.
                tokenSeeds += 1
                let user = Bool.random(using: &random) ? "u\(Int.random(in: 0..<5, using: &random))" : nil
                let destination = Bool.random(using: &random) ? Sample.apns(10_000 + tokenSeeds) : Sample.fcm(10_000 + tokenSeeds)
                _ = try await store.register(appId: app, Sample.registration(destination, installation: installation, user: user,
                                                                            appVersion: ["1.0.0", "2.0.0", nil].randomElement(using: &random)!), now: now)
                if let user { users.insert(user) }
            case 6..<18:
                // The permission prompt and its answer, in any order, with or without a strategy.
                let strategy: [String: JSONValue]? = [["strategy": .string("soft")], ["strategy": .string("direct")], nil].randomElement(using: &random)!
                let type: EventType = Int.random(in: 0..<3, using: &random) < 2 ? .promptShown : .permissionGranted
                _ = try await store.record(appId: app, events: [ClientEvent(type: type, installationId: installation,
                                                                            occurredAt: now - Double(Int.random(in: 0...(3 * 86_400), using: &random)),
                                                                            properties: type == .promptShown ? strategy : nil)], now: now)
            default:
                // A second device of a known user, on either platform.
                tokenSeeds += 1
                let index = installations
                installations += 1
                let user = users.randomElement(using: &random) ?? "u0"
                users.insert(user)
                _ = try await store.register(appId: app, Sample.registration(Bool.random(using: &random) ? Sample.fcm(20_000 + tokenSeeds) : Sample.apns(20_000 + tokenSeeds),
                                                                            installation: "i\(index)", user: user), now: now)
            }
        }

        mutating func startCampaign(using random: inout SeededGenerator) async throws {
            try await startCampaign(variants: Bool.random(using: &random) ? [.init(name: "a", weight: 1), .init(name: "b", weight: 1)] : nil,
                                    holdoutPercent: [0, 20, 50].randomElement(using: &random)!,
                                    attributionWindowDays: [1, 2, 3].randomElement(using: &random)!)
        }

        mutating func startCampaign(variants: [CampaignDefinition.Variant]?, holdoutPercent: Double, attributionWindowDays: Double) async throws {
            let definition = CampaignDefinition(name: "c\(campaigns.count)", audience: .init(filter: "platform == \"apns\""),
                                                message: PushMessage(title: "t", body: "b"), variants: variants,
                                                holdoutPercent: holdoutPercent, attributionWindowDays: attributionWindowDays)
            let campaign = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: now)
            _ = try await store.startCampaign(appId: app, id: campaign.id, startAt: now, now: now)
            for due in try await store.campaignsToResolve(now: now) where due.id == campaign.id {
                let candidates = try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"apns\"")), now: now)
                let planned = CampaignPlanner(campaignId: campaign.id, definition: definition)
                    .plan(candidates.sorted { $0.installationId < $1.installationId }, history: .init(), start: now)
                try await store.enqueue(appId: app, campaignId: campaign.id, occurrence: "", planned: planned, timeToLive: 86_400,
                                        finished: true, now: now)
            }
            campaigns.append(campaign)
            deliveryIds += try await store.deliveries(appId: app, campaignId: campaign.id, installationId: nil).map(\.id)
        }

        mutating func recordOutcomes(using random: inout SeededGenerator) async throws {
            let claimed = try await store.claimDeliveries(limit: Int.random(in: 1...6, using: &random), leaseFor: .seconds(60), now: now)
            var updates: [DeliveryUpdate] = []
            var batch = DeliveryBatch()
            for delivery in claimed {
                let locale = [nil, "de", "fr"].randomElement(using: &random)!
                let gone = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
                let bad = DeliveryFailureReason(platform: .apns, status: 400, code: "BadDeviceToken")
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<5: updates.append(DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId,
                                                          state: .accepted(gatewayMessageId: "m"), outcome: .accepted, reason: nil, locale: locale))
                case 5:
                    // Retired with the batch, as the worker records it; sometimes with an APNs timestamp the token outlived (kept).
                    let stamp: Date? = batch.retirements.count % 2 == 0 ? nil : now - 86_400 * 400
                    batch.add([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone),
                                  .retire(reason: "Unregistered", at: stamp ?? now, unlessSeenAfter: stamp)], of: delivery, locale: locale)
                case 6: updates.append(DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: .failed(reason: "BadDeviceToken"),
                                                      outcome: .failed, reason: bad, locale: locale))
                case 7: updates.append(DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId,
                                                      state: .retry(at: now + 60, attempt: 1, reason: "timeout"), outcome: .retry, reason: nil))
                case 8: batch.releases.append(DeliveryRelease(id: delivery.id, campaignId: delivery.campaignId, dueAt: now + 30))
                default: break   // the worker died: the lease runs out
                }
            }
            batch.updates += updates
            if !batch.isEmpty { try await store.recordDeliveries(batch, now: now) }
        }

        mutating func recordEvents(using random: inout SeededGenerator) async throws {
            var events: [ClientEvent] = []
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                let type: EventType = [.received, .opened, .converted, .converted, .permissionRevoked, .custom("purchase")].randomElement(using: &random)!
                let value: Double? = type == .converted ? Double(Int.random(in: 0...400, using: &random)) / 4 : nil
                // Mostly recent; sometimes before a campaign started, or days later, to cross window ends.
                let occurredAt = now - Double(Int.random(in: -600...(5 * 86_400), using: &random))
                let installation = "i\(Int.random(in: 0..<installations, using: &random))"
                var delivery = deliveryIds.randomElement(using: &random)
                var campaign: String?
                if Int.random(in: 0..<3, using: &random) == 0 {
                    delivery = nil
                    campaign = campaigns.randomElement(using: &random)?.id
                }
                events.append(ClientEvent(type: type, installationId: installation, campaignId: campaign, deliveryId: delivery,
                                          value: value, occurredAt: occurredAt))
            }
            _ = try await store.record(appId: app, events: events, now: now)
        }

        func execute(_ sql: String) async throws {
            if let sqlite = opened.sqlite { try await sqlite.execute([SQLStatement(sql)]) }
            if let postgres = opened.postgres { try await postgres.store.execute([SQLStatement(sql)]) }
        }

        /// Every campaign's counts and its split by locale and by day, from the rollups, equal the recomputation from
        /// the facts. Answers the campaigns' counts added up, and how many campaigns' numbers spread over several days.
        @discardableResult
        func expectRollupsTrue(_ when: String) async throws -> (CampaignCounts, Int) {
            var seen = CampaignCounts(), campaignsOverDays = 0
            for listed in campaigns {
                let campaign = try #require(try await store.campaign(appId: app, id: listed.id))
                let served = try await store.campaignCounts(appId: app, campaignId: campaign.id, now: now)
                let report = try await store.campaignReport(of: campaign, now: now)
                let servedByLocale = report.byLocale, servedByDay = report.byDay
                let facts: CampaignCounts, factsByLocale: [String: CampaignCounts], factsByDay: [Int: CampaignCounts]
                if let sqlite = opened.sqlite {
                    facts = try await CampaignCountsQuery.counts(of: campaign, on: sqlite, now: now)
                    factsByLocale = try await CampaignLocaleQuery.counts(of: campaign, on: sqlite, now: now)
                    factsByDay = try await CampaignDayQuery.counts(of: campaign, on: sqlite, now: now)
                } else {
                    let postgres = try #require(opened.postgres?.store)
                    facts = try await CampaignCountsQuery.counts(of: campaign, on: postgres, now: now)
                    factsByLocale = try await CampaignLocaleQuery.counts(of: campaign, on: postgres, now: now)
                    factsByDay = try await CampaignDayQuery.counts(of: campaign, on: postgres, now: now)
                }
                #expect(served == facts, "\(when): campaign \(campaign.definition.name)")
                #expect(report.counts == facts, "\(when): campaign \(campaign.definition.name) in its report")
                #expect(servedByLocale == factsByLocale, "\(when): campaign \(campaign.definition.name) by locale")
                #expect(servedByDay == factsByDay, "\(when): campaign \(campaign.definition.name) by day")
                // The days add up to the campaign: every delivery and event counted once.
                #expect(servedByDay.values.reduce(0) { $0 + $1.tokens } == served.tokens
                        && servedByDay.values.reduce(0) { $0 + $1.received + $1.opened + $1.converted } == served.received + served.opened + served.converted
                        && servedByDay.values.reduce(0) { $0 + $1.treatment.converted + $1.holdout.converted }
                            == served.treatment.converted + served.holdout.converted, "\(when): campaign \(campaign.definition.name) days")
                if servedByDay.count > 1 { campaignsOverDays += 1 }
                seen.accepted += served.accepted
                seen.attempted += served.attempted
                seen.received += served.received
                seen.converted += served.converted
                seen.revenue += served.revenue
                seen.retired += served.retired
                seen.suppressedByReason.merge(served.suppressedByReason, uniquingKeysWith: +)
                seen.holdout.people += served.holdout.people
                seen.treatment.converted += served.treatment.converted
                seen.revocationsWithin7Days += served.revocationsWithin7Days
                seen.unregistrationsWithin7Days += served.unregistrationsWithin7Days
                seen.variants.merge(served.variants) { a, _ in a }
            }
            let verification = try await store.verifyRollups(repair: false)
            #expect(verification.differences.isEmpty, "\(when): \(verification.differences)")
            return (seen, campaignsOverDays)
        }
    }
}
