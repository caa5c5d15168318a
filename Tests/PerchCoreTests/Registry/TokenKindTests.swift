import Foundation
import Testing
@testable import PerchCore

/// Token kinds: what `POST /v1/tokens` accepts, which slot a token takes, and how a Live Activity update token ends.
@Suite("Token kinds")
struct TokenKindTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let apnsToken = String(repeating: "ab", count: 32)

    func body(platform: String = "apns", kind: String?, activityType: String? = nil, activityId: String? = nil) -> RegistrationBody {
        RegistrationBody(platform: platform, token: platform == "apns" ? apnsToken : "fcm:" + String(repeating: "Zq-_9x", count: 20),
                         installationId: "i1", kind: kind, activityType: activityType, activityId: activityId)
    }

    @Test func aRegistrationIsADeviceTokenUnlessItSaysOtherwise() throws {
        #expect(try body(kind: nil).validated(endpointPolicy: .init()).kind == .device)
        #expect(try body(kind: "device").validated(endpointPolicy: .init()).kind == .device)
        #expect(try body(kind: "voip").validated(endpointPolicy: .init()).kind == .voip)
        #expect(try body(kind: "liveActivityStart", activityType: "DeliveryAttributes").validated(endpointPolicy: .init()).kind
                == .liveActivityStart(activityType: "DeliveryAttributes"))
        #expect(try body(kind: "liveActivity", activityType: "DeliveryAttributes", activityId: "5F1C-AA").validated(endpointPolicy: .init()).kind
                == .liveActivity(activityType: "DeliveryAttributes", activityId: "5F1C-AA"))
    }

    @Test func eachKindNamesWhatItNeedsAndOnlyAPNsIssuesVoIPAndLiveActivityTokens() {
        let cases: [(RegistrationBody, String)] = [
            (body(kind: "alert"), "kind"),
            (body(kind: "liveActivityStart"), "activityType"),
            (body(kind: "liveActivity", activityType: "DeliveryAttributes"), "activityId"),
            (body(kind: "liveActivity", activityId: "act-1"), "activityType"),
            (body(kind: "liveActivityStart", activityType: "Delivery Attributes"), "activityType"),
            (body(kind: "liveActivityStart", activityType: "DeliveryAttributes", activityId: "act-1"), "activityId"),
            (body(kind: "voip", activityType: "DeliveryAttributes"), "activityType"),
            (body(kind: nil, activityId: "act-1"), "activityId"),
            (body(platform: "fcm", kind: "voip"), "kind"),
            // Through FCM a Live Activity token is still the APNs token ActivityKit gave: an FCM-shaped one is refused.
            (body(platform: "fcm", kind: "liveActivityStart", activityType: "DeliveryAttributes"), "token"),
            (body(platform: "webpush", kind: "liveActivityStart", activityType: "DeliveryAttributes"), "kind"),
        ]
        for (body, field) in cases {
            expectPerchError(field: field) { _ = try body.validated(endpointPolicy: .init()) }
        }
    }

    @Test func aKindTakesItsOwnSlotAndLeavesTheInstallationsDeviceTokenAlone() {
        var registration = TokenRegistration(installationId: "i1", destination: .apns(token: apnsToken, environment: .production))
        registration.kind = .liveActivityStart(activityType: "DeliveryAttributes")
        let installation = RegistrationPlan.StoredInstallation(userId: "u1", currentTokenId: "tok_device", consent: .granted)
        let plan = RegistrationPlan.make(for: registration, installation: installation, sameToken: nil, previousToken: nil,
                                         currentOfKind: ["tok_old_start"], newTokenId: "tok_new", now: now)
        #expect(plan.replaces == ["tok_old_start"], "the device token is not this token's predecessor")
        #expect(!plan.isInstallationToken && plan.expiresAt == nil)

        registration.kind = .device
        let device = RegistrationPlan.make(for: registration, installation: installation, sameToken: nil, previousToken: nil,
                                           currentOfKind: ["ignored"], newTokenId: "tok_new", now: now)
        #expect(device.replaces == ["tok_device"] && device.isInstallationToken)
    }

    @Test func anUpdateTokenLivesTwelveHoursAndARegistrationAfterItsEndDoesNotReviveIt() {
        let kind = TokenKind.liveActivity(activityType: "DeliveryAttributes", activityId: "act-1")
        let end = now.addingTimeInterval(12 * 3600)
        #expect(TokenLifecycle.expiry(of: kind, registeredAt: now) == end)
        #expect(TokenLifecycle.expiry(of: .liveActivityStart(activityType: "DeliveryAttributes"), registeredAt: now) == nil)
        #expect(TokenLifecycle.expiry(of: .voip, registeredAt: now) == nil)

        #expect(TokenLifecycle.apply(.lifetimeEnded, to: .active) == .success(.expired))
        #expect(TokenLifecycle.apply(.lifetimeEnded, to: .stale) == .success(.expired))
        #expect((try? TokenLifecycle.apply(.lifetimeEnded, to: .revoked(reason: .unregistered)).get()) == nil)

        var registration = TokenRegistration(installationId: "i1", destination: .apns(token: apnsToken, environment: .production))
        registration.kind = kind
        let stored = RegistrationPlan.StoredToken(id: "tok_la", installationId: "i1", status: .expired, material: Data(apnsToken.utf8),
                                                  expiresAt: end)
        let late = RegistrationPlan.make(for: registration, installation: nil, sameToken: stored, previousToken: nil,
                                         newTokenId: "tok_unused", now: end.addingTimeInterval(60))
        #expect(late.tokenStatus == .expired && late.expiresAt == nil)
        let created = RegistrationPlan.make(for: registration, installation: nil, sameToken: nil, previousToken: nil,
                                            newTokenId: "tok_new", now: now)
        #expect(created.expiresAt == end && created.tokenStatus == .active)
    }

    @Test func storedKindsReadBackAndAnythingElseIsADevice() {
        #expect(TokenKind(stored: "liveActivity", activityType: "T", activityId: "a") == .liveActivity(activityType: "T", activityId: "a"))
        #expect(TokenKind(stored: "liveActivity", activityType: "T", activityId: nil) == .device)
        #expect(TokenKind(stored: nil, activityType: nil, activityId: nil) == .device)
        #expect(TokenKind(stored: "voip", activityType: nil, activityId: nil) == .voip)
    }
}
