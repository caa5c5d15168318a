import Foundation
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// `kind` on `POST /v1/tokens`: VoIP and Live Activity tokens are registered beside the device token, and campaigns,
/// segment previews and `/v1/send` reach only the device token — through the APNs simulator, on both backends.
@Suite("Token kinds over the API")
struct TokenKindsAPITests {
    static func register(_ client: TestServer.Client, _ app: TestServer.TestApp, _ seed: Int, installation: String = "iphone",
                         _ extra: [String: JSONValue] = [:]) async throws -> Answer {
        var body: [String: JSONValue] = ["platform": "apns", "token": .string(Tokens.apns(seed)), "environment": "production",
                                         "installationId": .string(installation), "userId": "ada", "consent": "granted"]
        body.merge(extra) { _, new in new }
        return try await client.call(.post, "/v1/tokens", key: app.secret, json: .object(body))
    }

    @Test(arguments: TestBackend.allCases) func everyKindIsRegisteredAndCheckedFieldByField(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let device = try await Self.register(client, app, 1)
            #expect(device.status == .created && device["kind"] == "device")
            let voip = try await Self.register(client, app, 2, ["kind": "voip"])
            #expect(voip.status == .created && voip["kind"] == "voip", "\(voip.json)")
            let start = try await Self.register(client, app, 3, ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])
            #expect(start.status == .created && start["kind"] == "liveActivityStart")
            let update = try await Self.register(client, app, 4, ["kind": "liveActivity", "activityType": "DeliveryAttributes", "activityId": "act-1"])
            #expect(update.status == .created && update["kind"] == "liveActivity")
            // The installation's token is still the device's.
            let installation = try await client.call(.get, "/v1/installations/iphone", key: app.secret)
            #expect(installation["tokenId"] == device["id"], "\(installation.json)")

            let refusals: [([String: JSONValue], String)] = [
                (["kind": "pager"], "kind"),
                (["kind": "liveActivityStart"], "activityType"),
                (["kind": "liveActivity", "activityType": "DeliveryAttributes"], "activityId"),
                (["kind": "voip", "activityId": "act-1"], "activityId"),
                (["kind": "voip", "platform": "fcm", "token": .string(Tokens.fcm(9)), "environment": .null], "kind"),
            ]
            for (extra, field) in refusals {
                let refused = try await Self.register(client, app, 9, extra)
                #expect(refused.status == .badRequest && refused.errorField == field, "\(extra): \(refused.json)")
            }
            let health = try await client.call(.get, "/v1/metrics/tokens?kind=voip", key: app.secret)
            #expect(health["total"] == 1, "\(health.json)")
            let byKind = try #require(health["byKind"]?.objectValue)
            #expect(byKind.keys.sorted() == ["voip"])
            let all = try await client.call(.get, "/v1/metrics/tokens", key: app.secret)
            #expect(all["total"] == 4 && all["byKind"]?.objectValue?.count == 4, "\(all.json)")
            let badKind = try await client.call(.get, "/v1/metrics/tokens?kind=pager", key: app.secret)
            #expect(badKind.status == .badRequest && badKind.errorField == "kind")
        }
    }

    @Test(arguments: TestBackend.allCases) func campaignsPreviewsAndSendsReachOnlyTheDeviceToken(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            _ = try await Self.register(client, app, 1)
            _ = try await Self.register(client, app, 2, ["kind": "voip"])
            _ = try await Self.register(client, app, 3, ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])
            _ = try await Self.register(client, app, 4, ["kind": "liveActivity", "activityType": "DeliveryAttributes", "activityId": "act-1"])
            _ = try await Self.register(client, app, 5, installation: "voip-only", ["kind": "voip", "userId": "grace"])

            let preview = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "platform == \"apns\""])
            #expect(preview["installations"] == 1, "\(preview.json)")

            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Everyone", "audience": ["userIds": ["ada", "grace"]], "message": ["title": "Hello", "body": "there"]])
            let id = try #require(created["id"]?.stringValue, "\(created.json)")
            let dry = try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.secret)
            #expect(dry["tokens"] == 1, "\(dry.json)")

            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ada"], "message": SendAPITests.message])
            #expect(sent.status == .ok, "\(sent.json)")
            guard case .array(let results)? = sent["results"] else { Issue.record("no results: \(sent.json)"); return }
            #expect(results.count == 1)
            #expect(simulator.received(platform: .apns).map(\.token) == [Tokens.apns(1)])
        }
    }
}
