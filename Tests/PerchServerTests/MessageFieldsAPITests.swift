import Foundation
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// The message's common fields (`interruptionLevel`, `collapseId`, `urgency`, `actions`, …) through the real gateways to
/// the simulators over HTTP/2 + TLS, and their limits refused at creation on every route, on SQLite and on PostgreSQL.
@Suite("Message fields")
struct MessageFieldsAPITests {
    static let message: JSONValue = [
        "title": "Gate change", "body": "Now boarding at B12", "image": "https://air.example/b12.png", "badge": 2, "sound": "chime.caf",
        "interruptionLevel": "time-sensitive", "relevanceScore": 0.75, "threadId": "flight-LH400", "collapseId": "gate-LH400",
        "channelId": "flight_updates", "urgency": "high", "requireInteraction": true,
        "actions": [["action": "map", "title": "Show map", "icon": "https://air.example/map.png"], ["action": "dismiss", "title": "Dismiss"]],
    ]

    func json(_ push: ReceivedPush?) throws -> [String: JSONValue] {
        let push = try #require(push)
        return try #require(try JSONDecoder().decode(JSONValue.self, from: push.body).objectValue)
    }

    @Test(arguments: TestBackend.allCases) func everyPlatformReceivesTheFieldsItDefines(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(1)), "environment": "production",
                                                              "installationId": "phone", "userId": "traveller", "consent": "granted"])
            try await CampaignAPITests.register(client, app, ["platform": "fcm", "token": .string(Tokens.fcm(1)), "installationId": "pixel",
                                                              "userId": "traveller", "consent": "granted"])
            try await CampaignAPITests.register(client, app, CampaignAPITests.webPush(simulator, app, installation: "browser", user: "traveller"))

            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "traveller"], "message": Self.message])
            #expect(sent.status == .ok, "\(sent.json)")
            #expect(sent["results"]?.arrayValue?.allSatisfy { $0.objectValue?["outcome"] == "accepted" } == true, "\(sent.json)")

            let apns = try #require(simulator.received(platform: .apns).last)
            #expect(apns.headers["apns-collapse-id"] == "gate-LH400")
            #expect(apns.headers["apns-priority"] == "10")
            #expect(apns.headers["apns-push-type"] == "alert")
            let aps = try #require(try json(apns)["aps"]?.objectValue)
            #expect(aps["interruption-level"] == "time-sensitive")
            #expect(aps["relevance-score"]?.numberValue == 0.75)
            #expect(aps["thread-id"] == "flight-LH400")
            #expect(aps["badge"] == 2 && aps["sound"] == "chime.caf" && aps["mutable-content"] == 1)
            #expect(aps["actions"] == nil && aps["channel_id"] == nil, "APNs gets only what APNs defines")

            let fcm = try json(simulator.received(platform: .fcm).last)
            let android = try #require(fcm["android"]?.objectValue)
            #expect(android["collapse_key"] == "gate-LH400")
            #expect(android["priority"] == "HIGH")
            #expect(android["notification"]?.objectValue?["channel_id"] == "flight_updates")
            #expect(android["notification"]?.objectValue?["notification_count"] == 2)
            let fcmAPNs = try #require(fcm["apns"]?.objectValue)
            #expect(fcmAPNs["headers"]?.objectValue?["apns-collapse-id"] == "gate-LH400")
            #expect(fcmAPNs["headers"]?.objectValue?["apns-priority"] == "10")
            #expect(fcmAPNs["payload"]?.objectValue?["aps"]?.objectValue?["interruption-level"] == "time-sensitive")
            let fcmWeb = try #require(fcm["webpush"]?.objectValue)
            #expect(fcmWeb["headers"]?.objectValue?["Urgency"] == "high")
            #expect(fcmWeb["headers"]?.objectValue?["Topic"] == "gate-LH400")
            #expect(fcmWeb["notification"]?.objectValue?["requireInteraction"] == true)
            #expect(fcm["notification"] == ["title": "Gate change", "body": "Now boarding at B12", "image": "https://air.example/b12.png"])

            let web = try #require(simulator.received(platform: .webpush).last)
            #expect(web.headers["urgency"] == "high")
            #expect(web.headers["topic"] == "gate-LH400")
            let plaintext = try json(web)
            #expect(plaintext["actions"] == [["action": "map", "title": "Show map", "icon": "https://air.example/map.png"],
                                             ["action": "dismiss", "title": "Dismiss"]])
            #expect(plaintext["requireInteraction"] == true)
            #expect(plaintext["interruptionLevel"] == nil && plaintext["thread-id"] == nil, "Web Push gets only what Web Push defines")
        }
    }

    @Test(arguments: TestBackend.allCases) func aCampaignCarriesTheFieldsAndUrgencyLowAsksForPriorityFive(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(2)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted"])
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "scores", "audience": ["installationIds": ["phone"]],
                "message": ["title": "Goal", "body": "1–0", "urgency": "low", "collapseId": "match-17", "interruptionLevel": "passive"]])
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created["id"]?.stringValue)
            #expect(try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret).status == .accepted)
            _ = try await CampaignAPITests.wait(client, app, id, for: "completed")
            let apns = try #require(simulator.received(platform: .apns).last)
            #expect(apns.headers["apns-priority"] == "5")
            #expect(apns.headers["apns-collapse-id"] == "match-17")
            #expect(try json(apns)["aps"]?.objectValue?["interruption-level"] == "passive")
        }
    }

    @Test(arguments: TestBackend.allCases) func aFieldOverItsLimitIsRefusedAtCreationOnEveryRouteAndNothingIsSent(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(3)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted"])
            func send(_ extra: [String: JSONValue]) async throws -> Answer {
                var message: [String: JSONValue] = ["title": "t", "body": "b"]
                message.merge(extra) { $1 }
                return try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "phone"], "message": .object(message)])
            }
            let refusals: [(String, [String: JSONValue])] = [
                ("message.collapseId", ["collapseId": .string(String(repeating: "c", count: 65)), "topic": "t"]),
                ("message.collapseId", ["collapseId": "order.42"]),
                ("message.topic", ["topic": "not a topic"]),
                ("message.relevanceScore", ["relevanceScore": 2]),
                ("message.image", ["image": "file:///etc/passwd"]),
                ("message.badge", ["badge": -1]),
                ("message.actions", ["actions": [["action": "a", "title": "A"], ["action": "b", "title": "B"], ["action": "c", "title": "C"]]]),
                ("message.actions[0].title", ["actions": [["action": "a", "title": ""]]]),
                ("message.urgency", ["urgency": "urgent"]),
                ("message.interruptionLevel", ["interruptionLevel": "loud"]),
            ]
            for (field, extra) in refusals {
                let answer = try await send(extra)
                #expect(answer.status == .badRequest && answer.errorField == field, "\(field): \(answer.json)")
            }
            // A value outside a closed set names the field and every value it takes.
            let allowed: [(String, [String: JSONValue], String)] = [
                ("message.urgency", ["urgency": "urgent"], "message.urgency must be one of very-low, low, normal, high"),
                ("message.interruptionLevel", ["interruptionLevel": "loud"],
                 "message.interruptionLevel must be one of passive, active, time-sensitive, critical"),
            ]
            for (field, extra, text) in allowed {
                let answer = try await send(extra)
                #expect(answer.status == .badRequest && answer.errorField == field, "\(field): \(answer.json)")
                #expect(answer.errorMessage?.contains(text) == true, "\(field): \(answer.json)")
            }
            let policy = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "n", "audience": ["installationIds": ["phone"]], "message": ["title": "t", "body": "b"], "devicePolicy": "newest"])
            #expect(policy.status == .badRequest && policy.errorField == "devicePolicy"
                    && policy.errorMessage?.contains("must be one of all, latest, latestPerPlatform") == true, "\(policy.json)")
            let quiet = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "n", "audience": ["installationIds": ["phone"]], "message": ["title": "t", "body": "b"],
                "quietHours": ["start": "22:00", "end": "07:00", "action": "later"]])
            #expect(quiet.status == .badRequest && quiet.errorField == "quietHours.action"
                    && quiet.errorMessage?.contains("must be one of defer, skip") == true, "\(quiet.json)")

            let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "n", "audience": ["installationIds": ["phone"]], "message": ["title": "t", "body": "b"],
                "variants": [["name": "a", "weight": 1], ["name": "b", "weight": 1, "message": ["title": "t", "body": "b", "channelId": ""]]]])
            #expect(campaign.status == .badRequest && campaign.errorField == "variants[1].message.channelId", "\(campaign.json)")
            #expect(try await client.call(.get, "/v1/campaigns", key: app.secret)["campaigns"]?.arrayValue?.isEmpty == true)

            let gorush = try await client.call(.post, "/api/push", key: app.secret, json: ["notifications": [
                ["tokens": [.string(Tokens.apns(3))], "platform": 1, "message": "fine"],
                ["tokens": [.string(Tokens.apns(3))], "platform": 1, "message": "m", "collapse_id": .string(String(repeating: "c", count: 65))]]])
            #expect(gorush.status == .badRequest && gorush.errorField == "notifications[1].collapse_id", "\(gorush.json)")
            let badImage = try await client.call(.post, "/api/push", key: app.secret, json: ["notifications": [
                ["tokens": [.string(Tokens.apns(3))], "platform": 1, "message": "m", "image": "data:image/png;base64,AAAA"]]])
            #expect(badImage.status == .badRequest && badImage.errorField == "notifications[0].image", "\(badImage.json)")

            #expect(simulator.counters(platform: .apns).received == 0, "nothing was sent for a refused message")
        }
    }
}
