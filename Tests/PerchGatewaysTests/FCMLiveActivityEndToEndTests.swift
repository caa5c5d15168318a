import Foundation
import PerchCore
import PerchGateways
import PerchSimulator
import Testing

/// Live Activities through FCM (`apns.live_activity_token`), over HTTP/2 + TLS against the FCM simulator.
@Suite("FCM gateway: Live Activities")
struct FCMLiveActivityEndToEndTests {
    let liveActivityToken = "80a1" + String(repeating: "5e", count: 30)
    let start = LiveActivityEvent(event: .start, timestamp: 1_800_000_000, contentState: ["eta": 12], attributesType: "DeliveryAttributes",
                                  attributes: ["order": "A-1"])
    let alert = PushMessage(title: "Your order", body: "is in the oven")

    @Test("a start reaches FCM on the registration token with apns.live_activity_token, liveactivity headers and the aps")
    func startAccepted() async throws {
        try await SimulatorHarness.run { sim in
            let token = fcmToken()
            let fcm = try sim.fcm()
            let outcome = await fcm.send(alert, to: .fcm(token: token),
                                         options: PushSendOptions(liveActivity: start, liveActivityToken: liveActivityToken))
            guard case .accepted = outcome else {
                Issue.record("expected acceptance, got \(outcome)")
                return
            }
            let received = try #require(sim.simulator.received(platform: .fcm).last)
            #expect(received.token == token)
            let apns = try #require(received.jsonObject?["apns"] as? [String: Any])
            #expect(apns["live_activity_token"] as? String == liveActivityToken)
            #expect((apns["headers"] as? [String: String])?["apns-push-type"] == "liveactivity")
            let aps = try #require((apns["payload"] as? [String: Any])?["aps"] as? [String: Any])
            #expect(aps["event"] as? String == "start" && aps["attributes-type"] as? String == "DeliveryAttributes")
            #expect((aps["alert"] as? [String: Any])?["title"] as? String == "Your order")
            #expect(received.jsonObject?["notification"] == nil)
        }
    }

    @Test("a Live Activity without its APNs token is a message error and nothing is sent")
    func missingLiveActivityToken() async throws {
        try await SimulatorHarness.run { sim in
            let fcm = try sim.fcm()
            let outcome = await fcm.send(alert, to: .fcm(token: fcmToken()), options: PushSendOptions(liveActivity: start))
            guard case .messageError(let reason) = outcome else {
                Issue.record("expected a message error, got \(outcome)")
                return
            }
            #expect(reason.code == "LiveActivityTokenMissing")
            #expect(sim.simulator.counters(platform: .fcm).received == 0)
        }
    }
}
