import Foundation
import Testing
import PerchCore
@testable import PerchStore

@Suite("Hygiene, token health and events")
struct HealthStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    @Test("hygiene marks stale after 30 days and expired after 270; a dry run changes nothing", arguments: StoreBackend.allCases)
    func hygiene(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "h", bundleId: nil, webOrigin: nil, now: t0).app.id
        let now = t0.addingTimeInterval(400 * day)
        let ages: [(String, TimeInterval)] = [("fresh", 1), ("month", 31), ("month2", 100), ("year", 300), ("ancient", 399)]
        for (index, (name, age)) in ages.enumerated() {
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(index), installation: name), now: now.addingTimeInterval(-age * day))
        }
        let dry = try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: true)
        #expect(dry == HygieneReport(markedStale: 4, markedExpired: 2, dryRun: true))
        #expect(try await store.tokenHealth(appId: app, filter: .init()).byStatus == ["active": 5])

        let real = try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: false)
        #expect(real == HygieneReport(markedStale: 4, markedExpired: 2, dryRun: false))
        #expect(try await store.tokenHealth(appId: app, filter: .init()).byStatus == ["active": 1, "stale": 2, "expired": 2])

        let again = try await store.runHygiene(policy: HygienePolicy(), now: now, dryRun: false)
        #expect(again == HygieneReport(markedStale: 0, markedExpired: 0, dryRun: false))

        // Seen again: a stale token is active once more.
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "month"), now: now)
        #expect(try await store.installation(appId: app, installationId: "month")?.tokenStatus == .active)
    }

    @Test("custom windows apply", arguments: StoreBackend.allCases)
    func customWindows(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "h", bundleId: nil, webOrigin: nil, now: t0).app.id
        _ = try await store.register(appId: app, Sample.registration(Sample.fcm(1), installation: "i"), now: t0)
        let policy = HygienePolicy(staleAfter: .seconds(3600), expireAfter: .seconds(7200))
        #expect(try await store.runHygiene(policy: policy, now: t0 + 3000, dryRun: false).markedStale == 0)
        #expect(try await store.runHygiene(policy: policy, now: t0 + 4000, dryRun: false).markedStale == 1)
        #expect(try await store.runHygiene(policy: policy, now: t0 + 8000, dryRun: false).markedExpired == 1)
    }

    @Test("token health from a known population", arguments: StoreBackend.allCases)
    func tokenHealth(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "m", bundleId: nil, webOrigin: nil, now: t0).app.id
        // alice: two iPhones (duplicate on apns) and one browser; bob: one Android; an anonymous browser.
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "a-phone", user: "alice"), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(2), installation: "a-ipad", user: "alice", appVersion: "2.0.0"), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.webpush(3), installation: "a-web", user: "alice"), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.fcm(4), installation: "b-android", user: "bob"), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.webpush(5), installation: "anon-web"), now: t0)
        // bob's phone refreshes its token (one replaced); the anonymous browser unregisters (one revoked).
        _ = try await store.register(appId: app, Sample.registration(Sample.fcm(6), installation: "b-android", user: "bob"), now: t0 + 1)
        _ = try await store.unregister(appId: app, installationId: "anon-web", now: t0 + 2)
        // a gateway retires alice's iPad token.
        let ipad = try #require(try await store.installation(appId: app, installationId: "a-ipad")?.tokenId)
        try await store.retireToken(appId: app, tokenId: ipad, reason: "Unregistered", at: t0 + 3, unlessSeenAfter: nil)
        // opt-in: 4 prompted, 3 granted.
        let events = ["a-phone", "a-ipad", "a-web", "b-android"].map { ClientEvent(type: .promptShown, installationId: $0, occurredAt: t0) }
            + ["a-phone", "a-web", "b-android"].map { ClientEvent(type: .permissionGranted, installationId: $0, occurredAt: t0) }
        _ = try await store.record(appId: app, events: events, now: t0)

        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.total == 6)
        #expect(health.byStatus == ["active": 3, "invalid": 1, "replaced": 1, "revoked": 1, "stale": 0].filter { $0.value > 0 })
        #expect(health.active == 3)
        #expect(health.validityRate == 0.5)
        #expect(health.optIn == .init(prompted: 4, granted: 3, rate: 0.75))
        // live tokens of known users: alice (phone, web) and bob (android) — no duplicates left since the iPad died.
        #expect(health.usersWithLiveTokens == 2 && health.tokensPerUser == 1.5 && health.duplicateTokenRate == 0)
        #expect(health.retirementsByReason == ["invalid:Unregistered": 1, "replaced": 1, "revoked:unregistered": 1])
        #expect(health.byPlatform["webpush"] == ["active": 1, "revoked": 1])

        let apnsOnly = try await store.tokenHealth(appId: app, filter: .init(platform: .apns))
        #expect(apnsOnly.total == 2 && apnsOnly.active == 1 && apnsOnly.optIn.prompted == 2)
        let v2 = try await store.tokenHealth(appId: app, filter: .init(appVersion: "2.0.0"))
        #expect(v2.total == 1 && v2.byStatus == ["invalid": 1])
    }

    @Test("duplicate-token rate counts users with several live tokens on one platform", arguments: StoreBackend.allCases)
    func duplicates(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "d", bundleId: nil, webOrigin: nil, now: t0).app.id
        for (index, browser) in ["chrome", "firefox", "edge"].enumerated() {
            _ = try await store.register(appId: app, Sample.registration(Sample.webpush(index), installation: browser, user: "carol"), now: t0)
        }
        _ = try await store.register(appId: app, Sample.registration(Sample.webpush(9), installation: "dave-web", user: "dave"), now: t0)
        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.usersWithLiveTokens == 2 && health.duplicateTokenRate == 0.5 && health.tokensPerUser == 2.0)
    }

    @Test("events are stored per item; an unknown installation sinks only its own item", arguments: StoreBackend.allCases)
    func events(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "e", bundleId: nil, webOrigin: nil, now: t0).app.id
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "known", user: "u"), now: t0)
        let outcomes = try await store.record(appId: app, events: [
            ClientEvent(type: .opened, installationId: "known", campaignId: "cmp_1", occurredAt: t0),
            ClientEvent(type: .opened, installationId: "stranger", occurredAt: t0),
            ClientEvent(type: .converted, installationId: "known", value: 19.99, currency: "EUR", occurredAt: t0, properties: ["sku": "A1"]),
        ], now: t0)
        guard case .stored = outcomes[0], case .rejected(let error) = outcomes[1], case .stored = outcomes[2] else {
            Issue.record("unexpected outcomes \(outcomes)")
            return
        }
        #expect(error.code == .notFound && error.field == "installationId")
        let export = try #require(try await store.exportUser(appId: app, userId: "u"))
        #expect(export.events.map(\.type) == ["opened", "converted"])
        #expect(export.events[1].value == 19.99 && export.events[1].currency == "EUR")
        #expect(export.events[0].campaignId == nil, "no delivery of cmp_1 reached the installation: the claim is stored unattributed")
    }
}
