import Foundation
import Testing
@testable import PerchCore

/// Live Activity pushes for apps that send to iOS through FCM: the registration token addresses the app,
/// `apns.live_activity_token` the activity.
@Suite("Live Activity events through FCM")
struct LiveActivityFCMTests {
    let liveActivityToken = "ab" + String(repeating: "0", count: 62)
    let registrationToken = "dQw4w9WgXcQ:APA91bToken"

    func message(_ notification: FCMNotification) throws -> [String: JSONValue] {
        let root = try #require(try JSONDecoder().decode(JSONValue.self, from: notification.requestBody).objectValue)
        return try #require(root["message"]?.objectValue)
    }

    @Test func aStartGoesToTheRegistrationTokenWithTheLiveActivityTokenHeadersAndAps() throws {
        let event = LiveActivityEvent(event: .start, timestamp: 1_800_000_000, contentState: ["eta": 12], attributesType: "DeliveryAttributes",
                                      attributes: ["order": "A-1"], priority: 5)
        let notification = try event.renderFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken,
                                               alert: ("Your order", "is in the oven", nil), data: ["perchDeliveryId": "dlv_1"])
        let message = try message(notification)
        #expect(message["token"] == .string(registrationToken))
        #expect(message["notification"] == nil, "the alert is aps.alert, not FCM's notification block")
        let apns = try #require(message["apns"]?.objectValue)
        #expect(apns["live_activity_token"] == .string(liveActivityToken))
        #expect(apns["headers"] == ["apns-push-type": "liveactivity", "apns-priority": "5"], "no apns-topic: FCM sets it")
        let payload = try #require(apns["payload"]?.objectValue)
        #expect(payload["perchDeliveryId"] == "dlv_1")
        let aps = try #require(payload["aps"]?.objectValue)
        #expect(aps["event"] == "start" && aps["timestamp"] == 1_800_000_000 && aps["content-state"] == ["eta": 12])
        #expect(aps["attributes-type"] == "DeliveryAttributes" && aps["attributes"] == ["order": "A-1"])
        #expect(aps["alert"] == ["title": "Your order", "body": "is in the oven"])
    }

    @Test func anUpdateDefaultsToPriorityTenAndCarriesItsExpiration() throws {
        let event = LiveActivityEvent(event: .update, timestamp: 1_800_000_000, contentState: ["eta": 5])
        let notification = try event.renderFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken, alert: nil,
                                               data: nil, timeToLive: 60, now: Date(timeIntervalSince1970: 1_800_000_000))
        let apns = try #require(try message(notification)["apns"]?.objectValue)
        #expect(apns["headers"] == ["apns-push-type": "liveactivity", "apns-priority": "10", "apns-expiration": "1800000060"])
        #expect(apns["payload"]?.objectValue?["aps"]?.objectValue?["attributes"] == nil)
    }

    @Test func aBadPriorityOrAnOversizedPayloadIsAMessageError() {
        let badPriority = LiveActivityEvent(event: .update, timestamp: 1, contentState: [:], priority: 7)
        #expect(throws: PushMessageError.invalidHeader("apns-priority")) {
            try badPriority.renderFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken, alert: nil, data: nil)
        }
        let huge = LiveActivityEvent(event: .update, timestamp: 1, contentState: ["blob": .string(String(repeating: "x", count: 5000))])
        #expect(throws: PushMessageError.self) {
            try huge.renderFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken, alert: nil, data: nil)
        }
    }

    @Test func anFCMLiveActivityTokenTravelsOnTheInstallationsLiveFCMToken() {
        let token = PushDestination.fcm(token: liveActivityToken)
        #expect(LiveActivityRoute.needsCarrier(token))
        #expect(LiveActivityRoute.route(token, carrier: (.fcm(token: registrationToken), .active))
                == .throughFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken))
        #expect(LiveActivityRoute.route(token, carrier: (.fcm(token: registrationToken), .revoked(reason: .unregistered)))
                == .unreachable(reason: LiveActivityRoute.noFCMToken))
        #expect(LiveActivityRoute.route(token, carrier: nil) == .unreachable(reason: LiveActivityRoute.noFCMToken))
        let apns = PushDestination.apns(token: liveActivityToken, environment: .production)
        #expect(!LiveActivityRoute.needsCarrier(apns))
        #expect(LiveActivityRoute.route(apns, carrier: nil) == .direct(apns))
    }

    @Test func liveActivityTokensRegisterForFCMButVoIPTokensDoNot() throws {
        let body = RegistrationBody(platform: "fcm", token: liveActivityToken, installationId: "i1", kind: "liveActivityStart",
                                    activityType: "DeliveryAttributes")
        let registration = try body.validated(endpointPolicy: .init())
        #expect(registration.destination == .fcm(token: liveActivityToken))
        #expect(registration.kind == .liveActivityStart(activityType: "DeliveryAttributes"))

        let notHex = RegistrationBody(platform: "fcm", token: registrationToken, installationId: "i1", kind: "liveActivity",
                                      activityType: "DeliveryAttributes", activityId: "A1")
        #expect(throws: PerchError.self) { try notHex.validated(endpointPolicy: .init()) }
        do {
            _ = try notHex.validated(endpointPolicy: .init())
        } catch {
            #expect(error.field == "token", "the Live Activity token is an APNs token")
        }
        let voip = RegistrationBody(platform: "fcm", token: registrationToken, installationId: "i1", kind: "voip")
        do {
            _ = try voip.validated(endpointPolicy: .init())
            Issue.record("a VoIP token through FCM was accepted")
        } catch {
            #expect(error.field == "kind")
        }
    }
}
