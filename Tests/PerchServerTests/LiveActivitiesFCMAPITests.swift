import Foundation
import Logging
import PerchTestSupport
import Testing
import PerchCore
import PerchGateways
import PerchSimulator
import PerchStore
@testable import PerchServer

/// Live Activities for apps that send to iOS through FCM: the Live Activity tokens are registered with platform `fcm`,
/// and each push goes to the installation's FCM registration token with `apns.live_activity_token` — through the API,
/// the planner and the delivery queue to the FCM simulator over HTTP/2 + TLS, on SQLite and on PostgreSQL.
@Suite("Live Activities through FCM over the API")
struct LiveActivitiesFCMAPITests {
    typealias Body = @Sendable (TestServer.Client, PushSimulator, TestServer.TestApp, any PerchStore) async throws -> Void

    /// A sending server on `backend` with one app connected to the simulator's APNs, FCM and Web Push.
    static func withFCM(on backend: TestBackend, _ body: Body) async throws {
        try await SendAPITests.withSendingStore(on: backend) { client, simulator, endpoints, app, store in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            try await body(client, simulator, app, store)
        }
    }

    static func register(_ client: TestServer.Client, _ app: TestServer.TestApp, token: String, installation: String,
                         _ kind: [String: JSONValue] = [:]) async throws {
        var body: [String: JSONValue] = ["platform": "fcm", "token": .string(token), "installationId": .string(installation),
                                         "consent": "granted"]
        body.merge(kind) { _, new in new }
        let answer = try await client.call(.post, "/v1/tokens", key: app.secret, json: .object(body))
        #expect(answer.status == .created, "\(answer.json)")
    }

    static func apns(_ push: ReceivedPush) -> [String: Any] { (push.jsonObject?["apns"] as? [String: Any]) ?? [:] }
    static func aps(_ push: ReceivedPush) -> [String: Any] { ((apns(push)["payload"] as? [String: Any])?["aps"] as? [String: Any]) ?? [:] }

    @Test(arguments: TestBackend.allCases) func startsAndUpdatesTravelOnTheInstallationsFCMTokenWithTheLiveActivityToken(_ backend: TestBackend) async throws {
        try await Self.withFCM(on: backend) { client, simulator, app, store in
            try await Self.register(client, app, token: Tokens.fcm(1), installation: "ada-phone")
            try await Self.register(client, app, token: Tokens.apns(2), installation: "ada-phone",
                                    ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])
            // An installation with a Live Activity token but no FCM token: nothing can carry its push.
            try await Self.register(client, app, token: Tokens.apns(3), installation: "bob-phone",
                                    ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])

            let started = try await client.call(.post, "/v1/live-activities", key: app.secret, json: [
                "audience": ["installationIds": ["ada-phone", "bob-phone"]], "activityType": "DeliveryAttributes",
                "attributes": ["order": "A-1"], "contentState": ["eta": 12], "alert": ["title": "Your order", "body": "is confirmed"]])
            #expect(started.status == .accepted && started["queued"] == 2, "\(started.json)")
            try await eventually("the start push") { simulator.received(platform: .fcm).count == 1 }
            let push = try #require(simulator.received(platform: .fcm).first)
            #expect(push.token == Tokens.fcm(1), "FCM addresses the app by its registration token")
            #expect(Self.apns(push)["live_activity_token"] as? String == Tokens.apns(2))
            #expect((Self.apns(push)["headers"] as? [String: String])?["apns-push-type"] == "liveactivity")
            #expect(Self.aps(push)["event"] as? String == "start" && Self.aps(push)["attributes-type"] as? String == "DeliveryAttributes")
            #expect((Self.aps(push)["alert"] as? [String: Any])?["title"] as? String == "Your order")
            #expect(simulator.received(platform: .apns).isEmpty)

            let campaignId = try #require(started["campaignId"]?.stringValue)
            try await eventually("both deliveries final") {
                try await store.deliveries(appId: app.id, campaignId: campaignId, installationId: nil).allSatisfy(\.isFinal)
            }
            let bob = try await store.deliveries(appId: app.id, campaignId: campaignId, installationId: "bob-phone")
            #expect(bob.map(\.state) == ["suppressed"] && bob.first?.reason == LiveActivityRoute.noFCMToken, "\(bob)")

            // The device started the activity and registered its update token, through FCM too.
            try await Self.register(client, app, token: Tokens.apns(4), installation: "ada-phone",
                                    ["kind": "liveActivity", "activityType": "DeliveryAttributes", "activityId": "order-A-1"])
            let updated = try await client.call(.post, "/v1/live-activities/order-A-1/update", key: app.secret, json: [
                "contentState": ["eta": 5], "priority": 5])
            #expect(updated.status == .accepted && updated["queued"] == 1, "\(updated.json)")
            try await eventually("the update push") { simulator.received(platform: .fcm).count == 2 }
            let update = try #require(simulator.received(platform: .fcm).last)
            #expect(update.token == Tokens.fcm(1))
            #expect(Self.apns(update)["live_activity_token"] as? String == Tokens.apns(4))
            #expect((Self.apns(update)["headers"] as? [String: String])?["apns-priority"] == "5")
            #expect(Self.aps(update)["event"] as? String == "update" && Self.aps(update)["attributes"] == nil)

            // Token health counts them by kind like any other.
            let health = try await client.call(.get, "/v1/metrics/tokens?kind=liveActivityStart", key: app.secret)
            #expect(health["byStatus"] == ["active": 2], "\(health.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func anFCMLiveActivityTokenMustBeAnAPNsTokenAndVoIPStaysOnAPNs(_ backend: TestBackend) async throws {
        try await Self.withFCM(on: backend) { client, _, app, _ in
            let cases: [([String: JSONValue], String)] = [
                (["platform": "fcm", "token": .string(Tokens.fcm(1)), "kind": "liveActivityStart", "activityType": "DeliveryAttributes"], "token"),
                (["platform": "fcm", "token": .string(Tokens.fcm(1)), "kind": "voip"], "kind"),
                (["platform": "webpush", "kind": "liveActivityStart", "activityType": "DeliveryAttributes"], "kind"),
            ]
            for (fields, field) in cases {
                var body: [String: JSONValue] = ["installationId": "ada-phone"]
                body.merge(fields) { _, new in new }
                let answer = try await client.call(.post, "/v1/tokens", key: app.secret, json: .object(body))
                #expect(answer.status == .badRequest && answer.errorField == field, "\(fields): \(answer.json)")
            }
        }
    }
}
