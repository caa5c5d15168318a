import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// The store conformance suite: written once against the protocols, run against every backend.
@Suite("Registry store")
struct RegistryStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func makeApp(_ opened: OpenedStore, name: String = "Test") async throws -> String {
        try await opened.store.createApp(name: name, bundleId: "com.example.app", webOrigin: nil, now: t0).app.id
    }

    @Test("the same registration twice gives one row and the same id", arguments: StoreBackend.allCases)
    func idempotent(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let registration = Sample.registration(Sample.apns(1), installation: "inst-1")
        let first = try await store.register(appId: app, registration, now: t0)
        let second = try await store.register(appId: app, registration, now: t0.addingTimeInterval(10))
        #expect(first.created && !second.created)
        #expect(first.tokenId == second.tokenId)
        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.total == 1 && health.active == 1)
    }

    @Test("a gateway's rejection retires a live token once; APNs' timestamp yields to a registration seen after it",
          arguments: StoreBackend.allCases)
    func retirement(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let token = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0 + 100).tokenId
        func status() async throws -> TokenStatus? { try await store.installation(appId: app, installationId: "i")?.tokenStatus }
        // APNs dates its 410 at t0 + 50, before the registration at t0 + 100: the device has proved the token since.
        #expect(try await store.retireToken(appId: app, tokenId: token, reason: "Unregistered", at: t0 + 200, unlessSeenAfter: t0 + 50) == false)
        #expect(try await status() == .active)
        // Dated after the last registration, the verdict stands: invalid, with the gateway's reason and time.
        #expect(try await store.retireToken(appId: app, tokenId: token, reason: "Unregistered", at: t0 + 300, unlessSeenAfter: t0 + 150))
        #expect(try await status() == .invalid(reason: "Unregistered", at: t0 + 300))
        // Said again (another worker's copy of the verdict), it changes nothing and retires nothing.
        #expect(try await store.retireToken(appId: app, tokenId: token, reason: "BadDeviceToken", at: t0 + 400, unlessSeenAfter: nil) == false)
        #expect(try await status() == .invalid(reason: "Unregistered", at: t0 + 300))
        #expect(try await store.retireToken(appId: app, tokenId: "tok_unknown", reason: "Unregistered", at: t0 + 400, unlessSeenAfter: nil) == false)
        // A registration after the rejection revives the token (TokenLifecycle's own rule), and a later verdict retires it again.
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0 + 500)
        #expect(try await status() == .active)
        #expect(try await store.retireToken(appId: app, tokenId: token, reason: "BadDeviceToken", at: t0 + 600, unlessSeenAfter: nil))
        #expect(try await status() == .invalid(reason: "BadDeviceToken", at: t0 + 600))
    }

    @Test("lastSeenAt moves on every registration, lastTokenUpdateAt only when the token changes", arguments: StoreBackend.allCases)
    func timestamps(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0.addingTimeInterval(100))
        var summary = try #require(try await store.installation(appId: app, installationId: "i"))
        #expect(summary.lastSeenAt == t0.addingTimeInterval(100))
        #expect(summary.lastTokenUpdateAt == t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(2), installation: "i"), now: t0.addingTimeInterval(200))
        summary = try #require(try await store.installation(appId: app, installationId: "i"))
        #expect(summary.lastSeenAt == t0.addingTimeInterval(200))
        #expect(summary.lastTokenUpdateAt == t0.addingTimeInterval(200))
    }

    @Test("a new token for a known installation replaces the old one and keeps user and consent", arguments: StoreBackend.allCases)
    func refresh(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let old = try await store.register(appId: app, Sample.registration(Sample.fcm(1), installation: "i", user: "u1"), now: t0)
        let new = try await store.register(appId: app, Sample.registration(Sample.fcm(2), installation: "i", consent: nil), now: t0 + 5)
        #expect(new.created && new.tokenId != old.tokenId)
        #expect(new.userId == "u1" && new.consent == .granted)
        let export = try #require(try await store.exportUser(appId: app, userId: "u1"))
        let oldToken = try #require(export.tokens.first { $0.tokenId == old.tokenId })
        #expect(oldToken.status == .replaced(successor: new.tokenId))
        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.byStatus == ["active": 1, "replaced": 1])
    }

    @Test("a matching previousToken under a new installation is replaced and carries the user over", arguments: StoreBackend.allCases)
    func previousToken(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let old = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "before-reinstall", user: "u1"), now: t0)
        let new = try await store.register(appId: app, Sample.registration(Sample.apns(2), installation: "after-reinstall", previous: Sample.apnsToken(1),
                                                                          consent: nil), now: t0 + 5)
        #expect(new.userId == "u1" && new.consent == .granted)
        let profile = try #require(try await store.userProfile(appId: app, userId: "u1"))
        let statuses = Dictionary(uniqueKeysWithValues: profile.installations.map { ($0.installationId, $0.tokenStatus) })
        #expect(statuses["before-reinstall"] == .replaced(successor: new.tokenId))
        #expect(statuses["after-reinstall"] == .active)
        #expect(old.tokenId != new.tokenId)
    }

    @Test("a token arriving under another installation moves there and is never live twice", arguments: StoreBackend.allCases)
    func move(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let first = try await store.register(appId: app, Sample.registration(Sample.apns(7), installation: "a", user: "u1"), now: t0)
        let moved = try await store.register(appId: app, Sample.registration(Sample.apns(7), installation: "b", user: "u2"), now: t0 + 1)
        #expect(moved.tokenId == first.tokenId && !moved.created)
        let a = try #require(try await store.installation(appId: app, installationId: "a"))
        let b = try #require(try await store.installation(appId: app, installationId: "b"))
        #expect(a.tokenId == nil && b.tokenId == first.tokenId)
        let export = try #require(try await store.exportUser(appId: app, userId: "u2"))
        #expect(export.log.contains { $0.kind == "token_moved" && $0.installationId == "b" })
        #expect(try await store.tokenHealth(appId: app, filter: .init()).total == 1)
    }

    @Test("identify binds, a move between users is logged, logout unbinds", arguments: StoreBackend.allCases)
    func identity(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0)
        let bound = try #require(try await store.identify(appId: app, installationId: "i", userId: "alice", now: t0 + 1))
        #expect(bound.0.userId == "alice" && bound.previousUserId == nil)
        let moved = try #require(try await store.identify(appId: app, installationId: "i", userId: "bob", now: t0 + 2))
        #expect(moved.previousUserId == "alice")
        let log = try #require(try await store.exportUser(appId: app, userId: "bob")).log
        #expect(log.contains { $0.kind == "user_moved" && $0.userId == "bob" && $0.otherUserId == "alice" })
        let out = try #require(try await store.logout(appId: app, installationId: "i", now: t0 + 3))
        #expect(out.0.userId == nil && out.previousUserId == "bob")
        #expect(try await store.userProfile(appId: app, userId: "bob")?.installations.isEmpty == true)
        #expect(try await store.identify(appId: app, installationId: "unknown", userId: "x", now: t0) == nil)
    }

    @Test("consent keeps its full history; revoked revokes the token and granted restores it", arguments: StoreBackend.allCases)
    func consent(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await store.register(appId: app, Sample.registration(Sample.webpush(1), installation: "w", consent: nil), now: t0)
        #expect(try await store.installation(appId: app, installationId: "w")?.isReachable == false)
        _ = try await store.setConsent(appId: app, installationId: "w", record: .init(status: .granted, source: "prompt", at: t0 + 1))
        #expect(try await store.installation(appId: app, installationId: "w")?.isReachable == true)
        let revoked = try #require(try await store.setConsent(appId: app, installationId: "w", record: .init(status: .revoked, source: "settings", at: t0 + 2)))
        #expect(revoked.tokenStatus == .revoked(reason: .consentWithdrawn) && !revoked.isReachable)
        let denied = try #require(try await store.setConsent(appId: app, installationId: "w", record: .init(status: .denied, source: "settings", at: t0 + 3)))
        #expect(!denied.isReachable)
        let regranted = try #require(try await store.setConsent(appId: app, installationId: "w", record: .init(status: .granted, source: "prompt", at: t0 + 4)))
        #expect(regranted.tokenStatus == .active && regranted.isReachable)
        let history = try await store.consentHistory(appId: app, installationId: "w")
        #expect(history.map(\.status) == [.granted, .revoked, .denied, .granted])
        #expect(history.map(\.source) == ["prompt", "settings", "settings", "prompt"])
    }

    @Test("unregister revokes the token", arguments: StoreBackend.allCases)
    func unregister(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(1), installation: "i"), now: t0)
        #expect(try await store.unregister(appId: app, installationId: "i", now: t0 + 1))
        #expect(try await store.installation(appId: app, installationId: "i")?.tokenStatus == .revoked(reason: .unregistered))
        #expect(try await store.unregister(appId: app, installationId: "nope", now: t0) == false)
        #expect(try await store.currentDestination(appId: app, installationId: "i")?.status == .revoked(reason: .unregistered))
    }

    @Test("nothing crosses apps", arguments: StoreBackend.allCases)
    func appScope(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let one = try await makeApp(opened, name: "one")
        let two = try await makeApp(opened, name: "two")
        let a = try await store.register(appId: one, Sample.registration(Sample.apns(1), installation: "same", user: "u"), now: t0)
        let b = try await store.register(appId: two, Sample.registration(Sample.apns(1), installation: "same", user: "u"), now: t0)
        #expect(a.created && b.created && a.tokenId != b.tokenId)
        #expect(try await store.eraseUser(appId: one, userId: "u"))
        #expect(try await store.userProfile(appId: two, userId: "u")?.installations.count == 1)
        #expect(try await store.userProfile(appId: one, userId: "u") == nil)
    }

    @Test("the database holds no raw token, and the export decrypts them", arguments: StoreBackend.allCases)
    func encryptedAtRest(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let destinations = [Sample.apns(11), Sample.fcm(12), Sample.webpush(13)]
        for (index, destination) in destinations.enumerated() {
            _ = try await store.register(appId: app, Sample.registration(destination, installation: "i\(index)", user: "u"), now: t0)
        }
        let raw = try await opened.rawBytes()
        #expect(raw.range(of: Data("com.example.app".utf8)) != nil, "the scan must see what is stored in clear (the bundle id)")
        for destination in destinations {
            #expect(raw.range(of: Data(destination.identity.utf8)) == nil, "raw \(destination.platform) token found in the database file")
            if case .webpush(let subscription) = destination {
                #expect(raw.range(of: subscription.p256dh) == nil)
                #expect(raw.range(of: Data(Base64URL.encode(subscription.p256dh).utf8)) == nil)
            }
        }
        let export = try #require(try await store.exportUser(appId: app, userId: "u"))
        #expect(Set(export.tokens.map(\.destination)) == Set(destinations))
    }

    @Test("erasure leaves no trace of the user's id or tokens in the database file", arguments: StoreBackend.allCases)
    func erasure(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let userId = "erase-me-7f3a9c"
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(21), installation: "e1", user: userId), now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(22), installation: "e1", user: userId), now: t0 + 1)
        _ = try await store.register(appId: app, Sample.registration(Sample.fcm(23), installation: "e2-install", user: userId), now: t0)
        _ = try await store.setUserAttributes(appId: app, userId: userId, attributes: ["plan": "pro"], now: t0)
        _ = try await store.identify(appId: app, installationId: "e2-install", userId: "someone-else", now: t0 + 2)
        _ = try await store.identify(appId: app, installationId: "e2-install", userId: userId, now: t0 + 3)
        _ = try await store.setConsent(appId: app, installationId: "e1", record: .init(status: .revoked, source: "x", at: t0 + 4))
        _ = try await store.record(appId: app, events: [ClientEvent(type: .opened, installationId: "e1", occurredAt: t0)], now: t0)
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(24), installation: "keep", user: "keeper"), now: t0)
        // An installation the user once had, now the keeper's: its history stays, without the erased user.
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(25), installation: "handed-on", user: userId), now: t0)
        _ = try await store.identify(appId: app, installationId: "handed-on", userId: "keeper", now: t0 + 5)
        // Campaigns and transactional sends that name the user or their installations.
        let message = PushMessage(title: "t", body: "b")
        let named = try await store.createCampaign(appId: app, definition: CampaignDefinition(
            name: "named", audience: .init(userIds: [userId, "keeper"]), message: message), kind: .campaign, now: t0)
        let direct = try await store.createCampaign(appId: app, definition: CampaignDefinition(
            name: "direct", audience: .init(installationIds: ["e2-install"]), message: message), kind: .transactional, now: t0)

        #expect(try await store.eraseUser(appId: app, userId: userId))
        #expect(try await store.campaign(appId: app, id: named.id)?.definition.audience.userIds == ["keeper"])
        #expect(try await store.campaign(appId: app, id: direct.id)?.definition.audience.installationIds == [])
        #expect(try await store.userProfile(appId: app, userId: "keeper")?.installations.map(\.installationId).sorted() == ["handed-on", "keep"])

        let check = try await backend.reopen(opened)
        if backend.overwritesErasedRows {
            let raw = try await check.rawBytes()
            for needle in [userId, "e2-install", Sample.apnsToken(21), Sample.apnsToken(22)] {
                #expect(raw.range(of: Data(needle.utf8)) == nil, "\(needle) still in the database file")
            }
        }
        #expect(try await check.store.userProfile(appId: app, userId: userId) == nil)
        #expect(try await check.store.exportUser(appId: app, userId: userId) == nil)
        #expect(try await check.store.userProfile(appId: app, userId: "keeper")?.installations.count == 2)
        #expect(try await check.store.eraseUser(appId: app, userId: userId) == false)
    }

    @Test("user attributes merge and null removes", arguments: StoreBackend.allCases)
    func attributes(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        _ = try await store.setUserAttributes(appId: app, userId: "u", attributes: ["plan": "pro", "age": 31, "beta": true], now: t0)
        let profile = try await store.setUserAttributes(appId: app, userId: "u", attributes: ["age": nil, "city": "Berlin"], now: t0 + 1)
        #expect(profile.attributes == ["plan": "pro", "beta": true, "city": "Berlin"])
        #expect(profile.createdAt == t0 && profile.updatedAt == t0 + 1)
    }

    @Test("gateway settings are sealed at rest and read back", arguments: StoreBackend.allCases)
    func gateways(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await makeApp(opened)
        let secret = "-----BEGIN PRIVATE KEY-----SECRET-MATERIAL-0123456789-----END PRIVATE KEY-----"
        let settings = GatewaySettings(platform: .apns, settings: ["privateKey": .string(secret), "teamId": "ABCDE12345"],
                                       summary: ["teamId": "ABCDE12345"], updatedAt: t0)
        try await store.setGateway(appId: app, settings: settings)
        #expect(try await store.gateway(appId: app, platform: .apns) == settings)
        #expect(try await store.gateway(appId: app, platform: .fcm) == nil)
        #expect(try await opened.rawBytes().range(of: Data("SECRET-MATERIAL".utf8)) == nil)
        #expect(try await store.vapidPrivateKey(appId: app).count == 32)
    }
}
