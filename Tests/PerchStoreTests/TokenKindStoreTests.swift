import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// Token kinds in the registry: one current token per installation and slot (device, VoIP, push-to-start per activity
/// type, update per activity), Live Activity update tokens that die with their activity, and audiences that reach only
/// device tokens — on every backend.
@Suite("Token kinds in the store")
struct TokenKindStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func makeApp(_ opened: OpenedStore) async throws -> String {
        try await opened.store.createApp(name: "Kinds", bundleId: "com.example.app", webOrigin: nil, now: t0).app.id
    }

    func register(_ store: any PerchStore, _ app: String, _ seed: Int, installation: String = "i", user: String? = "u1",
                  kind: TokenKind, at: Date) async throws -> RegistrationResult {
        var registration = Sample.registration(Sample.apns(seed), installation: installation, user: user)
        registration.kind = kind
        return try await store.register(appId: app, registration, now: at)
    }

    func status(_ store: any PerchStore, _ app: String, user: String = "u1", _ tokenId: String) async throws -> TokenStatus? {
        try await store.exportUser(appId: app, userId: user)?.tokens.first { $0.tokenId == tokenId }?.status
    }

    @Test("an installation holds one token per slot: a new start token for the same activity type replaces the old",
          arguments: StoreBackend.allCases)
    func slots(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let device = try await register(store, app, 1, kind: .device, at: t0)
        let voip = try await register(store, app, 2, kind: .voip, at: t0 + 1)
        let startA = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0 + 2)
        let startB = try await register(store, app, 4, kind: .liveActivityStart(activityType: "Match"), at: t0 + 3)
        let update = try await register(store, app, 5, kind: .liveActivity(activityType: "Delivery", activityId: "act-1"), at: t0 + 4)
        let allCreated = [device, voip, startA, startB, update].allSatisfy { $0.created }
        #expect(allCreated)

        // None of the other kinds displaced the device token: the installation still points at it.
        let summary = try #require(try await store.installation(appId: app, installationId: "i"))
        #expect(summary.tokenId == device.tokenId && summary.tokenStatus == .active)

        // A rotated push-to-start token for "Delivery" replaces the old one, and only that one.
        let rotated = try await register(store, app, 6, kind: .liveActivityStart(activityType: "Delivery"), at: t0 + 10)
        #expect(try await status(store, app, startA.tokenId) == .replaced(successor: rotated.tokenId))
        #expect(try await status(store, app, startB.tokenId) == .active)
        #expect(try await status(store, app, voip.tokenId) == .active)
        #expect(try await status(store, app, device.tokenId) == .active)
        // A second VoIP token replaces the first; the device token is untouched.
        let voip2 = try await register(store, app, 7, kind: .voip, at: t0 + 11)
        #expect(try await status(store, app, voip.tokenId) == .replaced(successor: voip2.tokenId))
        // A second activity's update token lives beside the first.
        let update2 = try await register(store, app, 8, kind: .liveActivity(activityType: "Delivery", activityId: "act-2"), at: t0 + 12)
        #expect(try await status(store, app, update.tokenId) == .active)
        #expect(try await status(store, app, update2.tokenId) == .active)

        // The user export names every kind.
        let export = try #require(try await store.exportUser(appId: app, userId: "u1"))
        let kinds = Dictionary(export.tokens.map { ($0.tokenId, $0.kind) }, uniquingKeysWith: { first, _ in first })
        #expect(kinds[device.tokenId] == .device && kinds[voip2.tokenId] == .voip)
        #expect(kinds[rotated.tokenId] == .liveActivityStart(activityType: "Delivery"))
        #expect(kinds[update.tokenId] == .liveActivity(activityType: "Delivery", activityId: "act-1"))
        #expect(export.tokens.first { $0.tokenId == update.tokenId }?.expiresAt == t0 + 4 + TokenLifecycle.liveActivityTokenLifetime)
        #expect(export.tokens.first { $0.tokenId == device.tokenId }?.expiresAt == nil)
    }

    @Test("campaign candidates, audience filters and previews reach only device tokens", arguments: StoreBackend.allCases)
    func audiencesReachDevicesOnly(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let device = try await register(store, app, 1, kind: .device, at: t0)
        _ = try await register(store, app, 2, kind: .voip, at: t0)
        _ = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0)
        _ = try await register(store, app, 4, kind: .liveActivity(activityType: "Delivery", activityId: "act-1"), at: t0)
        // An installation with only a VoIP token has nothing a campaign can reach.
        _ = try await register(store, app, 5, installation: "voip-only", user: "u2", kind: .voip, at: t0)

        let filter = try AudienceFilter.parse("platform == \"apns\"")
        #expect(try await store.tokenIds(appId: app, matching: filter, now: t0) == [device.tokenId])
        #expect(try await store.preview(appId: app, filter: filter, now: t0, sampleSize: 10).count == 1)
        for audience: ResolvedAudience in [.filter(filter), .users(["u1", "u2"]), .installations(["i", "voip-only"])] {
            let candidates = try await store.candidates(appId: app, audience: audience, now: t0)
            #expect(candidates.map(\.tokenId) == [device.tokenId], "\(audience)")
        }
    }

    @Test("an update token expires 12 hours after it was registered, and registering it again does not revive it",
          arguments: StoreBackend.allCases)
    func updateTokensExpire(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let device = try await register(store, app, 1, kind: .device, at: t0)
        let update = try await register(store, app, 2, kind: .liveActivity(activityType: "Delivery", activityId: "act-1"), at: t0)
        let start = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0)

        let policy = HygienePolicy()
        let early = try await store.runHygiene(policy: policy, now: t0 + 11 * 3600, dryRun: false)
        #expect(early.markedExpired == 0)
        #expect(try await status(store, app, update.tokenId) == .active)

        let due = t0 + 12 * 3600
        #expect(try await store.runHygiene(policy: policy, now: due, dryRun: true).markedExpired == 1)
        let report = try await store.runHygiene(policy: policy, now: due, dryRun: false)
        #expect(report.markedExpired == 1 && report.markedStale == 0)
        #expect(try await status(store, app, update.tokenId) == .expired)
        #expect(try await status(store, app, start.tokenId) == .active, "push-to-start tokens live until replaced")
        #expect(try await status(store, app, device.tokenId) == .active)

        // The app reports the ended activity's token again: it stays expired.
        let again = try await register(store, app, 2, kind: .liveActivity(activityType: "Delivery", activityId: "act-1"), at: due + 60)
        #expect(again.tokenId == update.tokenId && again.status == .expired)
    }

    @Test("unregistering and withdrawing consent reach every kind the installation holds", arguments: StoreBackend.allCases)
    func unregisterReachesEveryKind(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let device = try await register(store, app, 1, kind: .device, at: t0)
        let voip = try await register(store, app, 2, kind: .voip, at: t0)
        let start = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0)

        _ = try await store.setConsent(appId: app, installationId: "i", record: ConsentRecord(status: .revoked, source: "settings", at: t0 + 5))
        for token in [device, voip, start] {
            #expect(try await status(store, app, token.tokenId) == .revoked(reason: .consentWithdrawn))
        }
        _ = try await store.setConsent(appId: app, installationId: "i", record: ConsentRecord(status: .granted, source: "settings", at: t0 + 6))
        for token in [device, voip, start] {
            #expect(try await status(store, app, token.tokenId) == .active)
        }
        #expect(try await store.unregister(appId: app, installationId: "i", now: t0 + 10))
        for token in [device, voip, start] {
            #expect(try await status(store, app, token.tokenId) == .revoked(reason: .unregistered))
        }
    }

    @Test("token health counts every kind, split by kind, and filters to one", arguments: StoreBackend.allCases)
    func healthByKind(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await register(store, app, 1, kind: .device, at: t0)
        _ = try await register(store, app, 2, kind: .voip, at: t0)
        _ = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0)
        _ = try await register(store, app, 4, kind: .liveActivityStart(activityType: "Delivery"), at: t0 + 1)
        _ = try await register(store, app, 5, kind: .liveActivity(activityType: "Delivery", activityId: "act-1"), at: t0)

        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.total == 5 && health.active == 4)
        #expect(health.byKind["device"] == ["active": 1] && health.byKind["voip"] == ["active": 1])
        #expect(health.byKind["liveActivityStart"] == ["active": 1, "replaced": 1])
        #expect(health.byKind["liveActivity"] == ["active": 1])
        #expect(health.duplicateTokenRate == 0, "a device token beside a VoIP and Live Activity tokens is no duplicate")
        let starts = try await store.tokenHealth(appId: app, filter: .init(kind: .liveActivityStart))
        #expect(starts.total == 2 && starts.byStatus == ["active": 1, "replaced": 1])
        let devices = try await store.tokenHealth(appId: app, filter: .init(kind: .device))
        #expect(devices.total == 1 && devices.active == 1)
    }

    @Test("the export walks every installation's device token and every other kind, page by page", arguments: StoreBackend.allCases)
    func exportKnowsEveryKind(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let device = try await register(store, app, 1, kind: .device, at: t0)
        let voip = try await register(store, app, 2, kind: .voip, at: t0)
        let oldStart = try await register(store, app, 3, kind: .liveActivityStart(activityType: "Delivery"), at: t0)
        let start = try await register(store, app, 4, kind: .liveActivityStart(activityType: "Delivery"), at: t0 + 1)
        let other = try await register(store, app, 5, installation: "j", user: nil, kind: .device, at: t0)

        var walked: [ExportedToken] = []
        var cursor: String?
        while true {
            let page = try await store.exportPage(appId: app, after: cursor, limit: 2, liveOnly: true)
            guard let last = page.last else { break }
            walked += page
            cursor = last.exportCursor
        }
        #expect(Set(walked.map(\.tokenId)) == [device.tokenId, voip.tokenId, start.tokenId, other.tokenId])
        #expect(walked.count == 4, "each token once")
        #expect(walked.first { $0.tokenId == start.tokenId }?.kind == .liveActivityStart(activityType: "Delivery"))
        #expect(walked.first { $0.tokenId == voip.tokenId }?.kind == .voip)
        let everything = try await store.exportPage(appId: app, after: nil, limit: 100, liveOnly: false)
        #expect(everything.contains { $0.tokenId == oldStart.tokenId && $0.status == .replaced(successor: start.tokenId) })
    }
}
