import Foundation
import Testing
import PerchClient

/// The client against a real `perch serve` process on loopback.
@Suite("PerchClient against perch serve", .serialized)
struct PerchClientServerTests {
    static func client(_ server: PerchServeProcess, storage: FileInstallationStorage? = nil) -> (PerchClient, FileInstallationStorage) {
        let storage = storage ?? FileInstallationStorage(url: server.folder.appendingPathComponent("device-\(UUID().uuidString).json"))
        let configuration = PerchClient.Configuration(baseURL: server.baseURL, publishableKey: server.publishableKey,
                                                      retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(50)))
        return (PerchClient(configuration: configuration, storage: storage), storage)
    }

    static let apnsToken = Data((0..<32).map { UInt8($0 * 7 & 0xFF) })
    static var apnsHex: String { apnsToken.map { String(format: "%02x", $0) }.joined() }
    static let details = PerchClient.InstallationDetails(appVersion: "3.1.0", locale: "de-DE", timezone: "Europe/Berlin")

    @Test func anAPNsTokenIsRegisteredHexEncodedWithItsEnvironmentAndRefreshedByTheSameCall() async throws {
        try await PerchServeProcess.with { server in
            let (perch, storage) = Self.client(server)
            let first = try await perch.register(apnsToken: Self.apnsToken, environment: .sandbox, details: Self.details)
            #expect(first.created && first.status == "active")
            let installationId = try await perch.installationId()
            #expect(first.installationId == installationId)

            let again = try await perch.register(apnsToken: Self.apnsToken, environment: .sandbox, details: Self.details)
            #expect(!again.created && again.id == first.id, "the same token again is the same row")

            let stored = try await server.read("v1/installations/\(installationId)")
            #expect(stored["platform"] as? String == "apns" && stored["tokenId"] as? String == first.id)
            #expect(stored["status"] as? String == "active")

            // A relaunch with a new token: the same installation, the old token replaced by the new one.
            let (relaunched, _) = Self.client(server, storage: storage)
            var rotated = Self.apnsToken
            rotated[0] ^= 0xFF
            let refreshed = try await relaunched.register(apnsToken: rotated, environment: .sandbox, details: Self.details)
            #expect(refreshed.installationId == installationId && refreshed.id != first.id && refreshed.created)
            let health = try await server.read("v1/metrics/tokens")
            #expect((health["byStatus"] as? [String: Any])?["replaced"] as? Int == 1, "\(health)")
            #expect((health["byStatus"] as? [String: Any])?["active"] as? Int == 1)
            let export = try await server.read("v1/installations/\(installationId)")
            #expect(export["tokenId"] as? String == refreshed.id)
        }
    }

    @Test func voipAndLiveActivityTokensAreRegisteredInTheirOwnSlotsOverAPNsOrFCM() async throws {
        try await PerchServeProcess.with { server in
            let (perch, _) = Self.client(server)
            _ = try await perch.register(apnsToken: Self.apnsToken, environment: .production, details: Self.details)
            var token = Self.apnsToken
            func next() -> Data {
                token[0] &+= 1
                return token
            }
            #expect(try await perch.registerVoIPToken(next(), environment: .production).created)
            #expect(try await perch.registerLiveActivityStartToken(activityType: "DeliveryAttributes", token: next()).created)
            #expect(try await perch.registerLiveActivityToken(activityId: "order-1", activityType: "DeliveryAttributes", token: next()).created)

            // An app that sends to iOS through FCM: its FCM token, and its Live Activity tokens registered for FCM.
            let (viaFCM, _) = Self.client(server)
            _ = try await viaFCM.register(fcmToken: "fcm-" + String(repeating: "AbC9_-", count: 30), details: Self.details)
            #expect(try await viaFCM.registerLiveActivityStartToken(activityType: "DeliveryAttributes", token: next(), environment: .production,
                                                                   viaFCM: true).created)

            let health = try await server.read("v1/metrics/tokens")
            let byKind = health["byKind"] as? [String: [String: Int]] ?? [:]
            #expect(byKind["device"]?["active"] == 2 && byKind["voip"]?["active"] == 1 && byKind["liveActivity"]?["active"] == 1, "\(health)")
            #expect(byKind["liveActivityStart"]?["active"] == 2, "one per installation: \(health)")
            let byPlatform = health["byPlatform"] as? [String: [String: Int]] ?? [:]
            #expect(byPlatform["apns"]?["active"] == 4 && byPlatform["fcm"]?["active"] == 2, "the FCM app's start token is an fcm token: \(health)")
        }
    }

    @Test func identifyConsentEventsAndLogoutReachTheRegistry() async throws {
        try await PerchServeProcess.with { server in
            let (perch, _) = Self.client(server)
            let fcm = "fcm-" + String(repeating: "AbC9_-", count: 30)
            let registration = try await perch.register(fcmToken: fcm, details: Self.details)
            #expect(registration.created)
            let installationId = try await perch.installationId()

            do {
                try await perch.identify(userId: "user-42", userAuth: nil)
                Issue.record("identify without proof succeeded")
            } catch let error as PerchClientError {
                #expect(error.status == 401 && error.field == "userAuth" && error.attempts == 1)
            }
            let forAnother = BackendUserAuth.mint(userId: "user-7", secret: server.identitySecret)
            await #expect(throws: PerchClientError.self) { try await perch.identify(userId: "user-42", userAuth: forAnother) }
            let userAuth = BackendUserAuth.mint(userId: "user-42", secret: server.identitySecret)
            let bound = try await perch.identify(userId: "user-42", userAuth: userAuth)
            #expect(bound.userId == "user-42" && bound.previousUserId == nil)
            let consent = try await perch.setConsent(.granted, source: "onboarding-prompt")
            #expect(consent.installationId == installationId)

            let user = try await server.read("v1/users/user-42")
            let installations = try #require(user["installations"] as? [[String: Any]])
            #expect(installations.count == 1 && installations.first?["installationId"] as? String == installationId)
            let stored = try await server.read("v1/installations/\(installationId)")
            #expect((stored["consent"] as? [String: Any])?["status"] as? String == "granted", "\(stored)")
            #expect((stored["consent"] as? [String: Any])?["source"] as? String == "onboarding-prompt")

            let events = try await perch.track([.promptShown(strategy: "soft-ask"), .permission(granted: true), .opened(campaignId: "cmp_1"),
                                                .converted(value: 19.99, currency: "EUR"), PerchEvent(type: "not a valid name!")])
            #expect(events.stored == 4 && events.rejected == 1)
            #expect(events.results.last?.status == "rejected" && events.results.last?.error?["field"]?.stringValue == "events[4].type")
            let custom = try await perch.track("added_to_cart", properties: ["sku": "A-1", "quantity": 2])
            #expect(custom.stored == 1)

            let out = try await perch.logout()
            #expect(out.userId == nil && out.previousUserId == nil, "the publishable key is never told whom an installation belonged to")
            let anonymous = try await server.read("v1/installations/\(installationId)")
            #expect(anonymous["userId"] == nil || anonymous["userId"] is NSNull)
        }
    }

    @Test func aRefusedRequestThrowsTheServersErrorWithoutRetrying() async throws {
        try await PerchServeProcess.with { server in
            let (perch, _) = Self.client(server)
            do {
                try await perch.register(fcmToken: "too-short")
                Issue.record("a malformed token was accepted")
            } catch let error as PerchClientError {
                #expect(error.code == .rejected && error.status == 400 && error.serverCode == "invalid_field" && error.field == "token")
                #expect(error.attempts == 1)
                #expect(!error.description.contains("too-short"), "the token is not echoed")
            }
            // Identify before registering is answered as for a known installation (the publishable key is no oracle
            // for which installations exist), and binds nothing: nobody-yet has no installation.
            let early = try await perch.identify(userId: "nobody-yet", userAuth: BackendUserAuth.mint(userId: "nobody-yet", secret: server.identitySecret))
            #expect(early.userId == "nobody-yet")
            let (_, status) = try await PerchServeProcess.call(server.baseURL, "GET", "v1/users/nobody-yet", key: server.secretKey)
            #expect(status == 404)
            let wrongKey = PerchClient(configuration: .init(baseURL: server.baseURL, publishableKey: "pk_unknown0000000000000000"),
                                       storage: FileInstallationStorage(url: server.folder.appendingPathComponent("other.json")))
            await #expect(throws: PerchClientError.self) { try await wrongKey.register(fcmToken: String(repeating: "x", count: 140)) }
            do {
                try await wrongKey.register(fcmToken: String(repeating: "x", count: 140))
            } catch let error as PerchClientError {
                #expect(error.code == .unauthorized && error.status == 401)
            }
        }
    }
}
