import Foundation
import Logging
import PerchTestSupport
import Testing
import PerchCore
import PerchGateways
import PerchSimulator
import PerchStore
@testable import PerchServer

/// `POST /v1/live-activities`, `/{activityId}/update` and `/end`, and VoIP through `/v1/send`: through the campaign
/// planner and the delivery queue to the APNs simulator over HTTP/2 + TLS, on SQLite and on PostgreSQL.
@Suite("Live Activities and VoIP over the API")
struct LiveActivitiesAPITests {
    typealias Body = @Sendable (TestServer.Client, PushSimulator, SimulatorEndpoints, TestServer.TestApp, any PerchStore) async throws -> Void

    /// A sending server on `backend` with one app connected to the simulator's APNs.
    static func withAPNs(on backend: TestBackend, _ body: Body) async throws {
        try await SendAPITests.withSendingStore(on: backend) { client, simulator, endpoints, app, store in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            try await body(client, simulator, endpoints, app, store)
        }
    }

    static func register(_ client: TestServer.Client, _ app: TestServer.TestApp, _ seed: Int, installation: String, user: String,
                         consent: String = "granted", _ kind: [String: JSONValue] = [:]) async throws {
        var body: [String: JSONValue] = ["platform": "apns", "token": .string(Tokens.apns(seed)), "environment": "production",
                                         "installationId": .string(installation), "userId": .string(user), "consent": .string(consent)]
        body.merge(kind) { _, new in new }
        let answer = try await client.call(.post, "/v1/tokens", key: app.secret, json: .object(body))
        #expect(answer.status == .created, "\(answer.json)")
    }

    static func aps(_ push: ReceivedPush) -> [String: Any] {
        (push.jsonObject?["aps"] as? [String: Any]) ?? [:]
    }

    @Test(arguments: TestBackend.allCases) func aStartReachesThePushToStartTokensOfItsTypeWithConsentApplied(_ backend: TestBackend) async throws {
        try await Self.withAPNs(on: backend) { client, simulator, endpoints, app, _ in
            try await Self.register(client, app, 1, installation: "ada-phone", user: "ada")
            try await Self.register(client, app, 2, installation: "ada-phone", user: "ada",
                                    ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])
            try await Self.register(client, app, 3, installation: "ada-phone", user: "ada",
                                    ["kind": "liveActivityStart", "activityType": "MatchAttributes"])
            try await Self.register(client, app, 4, installation: "grace-phone", user: "grace", consent: "denied",
                                    ["kind": "liveActivityStart", "activityType": "DeliveryAttributes"])

            let started = try await client.call(.post, "/v1/live-activities", key: app.secret, json: [
                "audience": ["userIds": ["ada", "grace"]], "activityType": "DeliveryAttributes",
                "attributes": ["order": "A-1"], "contentState": ["eta": 12, "status": "baking"],
                "alert": ["title": "Your order", "body": "is in the oven"], "staleDate": "2026-12-04T10:00:00Z", "relevanceScore": 50])
            #expect(started.status == .accepted, "\(started.json)")
            #expect(started["queued"] == 1 && started["event"] == "start" && started["activityType"] == "DeliveryAttributes")
            #expect(started["leftOut"] == ["consent_denied": 1])

            try await eventually("the start push") { simulator.received(platform: .apns).count == 1 }
            let push = try #require(simulator.received(platform: .apns).first)
            #expect(push.token == Tokens.apns(2), "only the push-to-start token of that type")
            #expect(push.headers["apns-push-type"] == "liveactivity")
            #expect(push.headers["apns-topic"] == endpoints.apns.topic + ".push-type.liveactivity")
            #expect(push.headers["apns-priority"] == "10")
            let aps = Self.aps(push)
            #expect(aps["event"] as? String == "start" && aps["attributes-type"] as? String == "DeliveryAttributes")
            #expect((aps["attributes"] as? [String: Any])?["order"] as? String == "A-1")
            #expect((aps["content-state"] as? [String: Any])?["status"] as? String == "baking")
            #expect(aps["stale-date"] as? Int == 1_796_378_400 && aps["relevance-score"] as? Int == 50)
            #expect((aps["timestamp"] as? Int).map { abs(Double($0) - Date().timeIntervalSince1970) < 120 } == true)
            #expect((aps["alert"] as? [String: Any])?["title"] as? String == "Your order")

            // The send is a campaign: its status and explain read like any other's.
            let id = try #require(started["campaignId"]?.stringValue)
            let campaign = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(campaign.status == .ok, "\(campaign.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func updatesAndTheEndReachEveryUpdateTokenOfTheActivityAndTheEndExpiresThem(_ backend: TestBackend) async throws {
        try await Self.withAPNs(on: backend) { client, simulator, endpoints, app, store in
            try await Self.register(client, app, 10, installation: "ada-phone", user: "ada",
                                    ["kind": "liveActivity", "activityType": "MatchAttributes", "activityId": "match-7"])
            try await Self.register(client, app, 11, installation: "ada-pad", user: "ada",
                                    ["kind": "liveActivity", "activityType": "MatchAttributes", "activityId": "match-7"])
            try await Self.register(client, app, 12, installation: "grace-phone", user: "grace",
                                    ["kind": "liveActivity", "activityType": "MatchAttributes", "activityId": "match-8"])

            let updated = try await client.call(.post, "/v1/live-activities/match-7/update", key: app.secret, json: [
                "contentState": ["home": 1, "away": 0], "staleDate": 1_800_000_600, "priority": 5])
            #expect(updated.status == .accepted && updated["queued"] == 2 && updated["activityId"] == "match-7", "\(updated.json)")
            try await eventually("two updates") { simulator.received(platform: .apns).count == 2 }
            let updates = simulator.received(platform: .apns)
            #expect(Set(updates.map(\.token)) == [Tokens.apns(10), Tokens.apns(11)])
            #expect(updates.allSatisfy { $0.headers["apns-priority"] == "5" && $0.headers["apns-push-type"] == "liveactivity" })
            #expect(updates.allSatisfy { Self.aps($0)["event"] as? String == "update" && Self.aps($0)["stale-date"] as? Int == 1_800_000_600 })
            #expect(updates.allSatisfy { Self.aps($0)["alert"] == nil && Self.aps($0)["attributes"] == nil })

            let ended = try await client.call(.post, "/v1/live-activities/match-7/end", key: app.secret, json: [
                "contentState": ["home": 2, "away": 1], "dismissalDate": "2026-12-04T12:00:00Z",
                "alert": ["title": "Full time", "body": "2–1"]])
            #expect(ended.status == .accepted && ended["queued"] == 2, "\(ended.json)")
            try await eventually("two ends") { simulator.received(platform: .apns).count == 4 }
            let ends = simulator.received(platform: .apns).suffix(2)
            #expect(ends.allSatisfy { Self.aps($0)["event"] as? String == "end" && Self.aps($0)["dismissal-date"] as? Int == 1_796_385_600 })
            #expect(ends.allSatisfy { $0.headers["apns-priority"] == "10" })

            // Once the end has left, the activity's tokens are gone: hygiene expires them, the other activity's stays.
            let report = try await store.runHygiene(policy: HygienePolicy(), now: Date().addingTimeInterval(TokenLifecycle.liveActivityEndGrace + 1),
                                                    dryRun: false)
            #expect(report.markedExpired == 2)
            let health = try await client.call(.get, "/v1/metrics/tokens?kind=liveActivity", key: app.secret)
            #expect(health["byStatus"] == ["expired": 2, "active": 1], "\(health.json)")
            let again = try await client.call(.post, "/v1/live-activities/match-7/update", key: app.secret, json: ["contentState": ["home": 3]])
            #expect(again["queued"] == 0, "\(again.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func everyBrokenFieldOfALiveActivityIsNamed(_ backend: TestBackend) async throws {
        try await Self.withAPNs(on: backend) { client, _, _, app, _ in
            let start: JSONValue = ["audience": ["userIds": ["ada"]], "activityType": "DeliveryAttributes", "attributes": [:], "contentState": [:]]
            let cases: [(String, JSONValue, String)] = [
                ("/v1/live-activities", start.merging(["activityType": .null]), "activityType"),
                ("/v1/live-activities", start.merging(["activityType": "Delivery Attributes"]), "activityType"),
                ("/v1/live-activities", start.merging(["attributes": "A-1"]), "attributes"),
                ("/v1/live-activities", start.merging(["contentState": .null]), "contentState"),
                ("/v1/live-activities", start.merging(["audience": .null]), "audience"),
                ("/v1/live-activities", start.merging(["priority": 1]), "priority"),
                ("/v1/live-activities", start.merging(["alert": ["title": "Hi"]]), "alert.body"),
                ("/v1/live-activities/match-7/update", ["contentState": [:], "staleDate": "tomorrow"], "staleDate"),
                ("/v1/live-activities/match-7/update", ["contentState": [:], "attributes": [:]], "attributes"),
                ("/v1/live-activities/match-7/update", ["contentState": [:], "relevanceScore": -1], "relevanceScore"),
                ("/v1/live-activities/match-7/end", ["contentState": [:], "priority": 7], "priority"),
                ("/v1/live-activities/match-7/end", ["contentState": [:], "dismissalDate": -5], "dismissalDate"),
                ("/v1/live-activities/match-7/end", ["contentState": ["big": .string(String(repeating: "x", count: 5000))]], "contentState"),
            ]
            for (path, body, field) in cases {
                let answer = try await client.call(.post, path, key: app.secret, json: body)
                #expect(answer.status == .badRequest && answer.errorField == field, "\(path) \(body.jsonText.prefix(120)): \(answer.json)")
            }
            let publishable = try await client.call(.post, "/v1/live-activities/match-7/end", key: app.publishable, json: ["contentState": [:]])
            #expect(publishable.status == .forbidden)
            let inCampaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "sneaky", "audience": ["userIds": ["ada"]], "message": ["title": "a", "body": "b"], "tokens": "voip"])
            #expect(inCampaign.status == .badRequest, "\(inCampaign.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func aVoIPSendReachesOnlyTheVoIPTokenWithItsTopicAndLimit(_ backend: TestBackend) async throws {
        try await Self.withAPNs(on: backend) { client, simulator, endpoints, app, _ in
            try await Self.register(client, app, 20, installation: "ada-phone", user: "ada")
            try await Self.register(client, app, 21, installation: "ada-phone", user: "ada", ["kind": "voip"])
            let message: JSONValue = ["title": "Incoming call", "body": "Grace", "data": ["caller": "grace", "callId": "c-1"]]
            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ada"], "kind": "voip", "message": message])
            #expect(sent.status == .ok, "\(sent.json)")
            guard case .array(let results)? = sent["results"] else { Issue.record("\(sent.json)"); return }
            #expect(results.count == 1 && results.first?.objectValue?["outcome"] == "accepted", "\(sent.json)")
            let push = try #require(simulator.received(platform: .apns).last)
            #expect(push.token == Tokens.apns(21))
            #expect(push.headers["apns-push-type"] == "voip" && push.headers["apns-priority"] == "10")
            #expect(push.headers["apns-topic"] == endpoints.apns.topic + ".voip")
            #expect(push.jsonObject?["caller"] as? String == "grace")

            // Up to 5120 bytes is a VoIP payload; past it the send is refused before anything is queued.
            let large: JSONValue = ["title": "Call", "body": "x", "data": ["blob": .string(String(repeating: "v", count: 4500))]]
            let fits = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ada"], "kind": "voip", "message": large])
            #expect(fits.status == .ok, "\(fits.json)")
            let huge: JSONValue = ["title": "Call", "body": "x", "data": ["blob": .string(String(repeating: "v", count: 5200))]]
            let refused = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ada"], "kind": "voip", "message": huge])
            #expect(refused.status == .badRequest && refused.errorField == "message", "\(refused.json)")
            let unknown = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["userId": "ada"], "kind": "liveActivity", "message": message])
            #expect(unknown.status == .badRequest && unknown.errorField == "kind")
            #expect(simulator.received(platform: .apns).map(\.token).allSatisfy { $0 == Tokens.apns(21) }, "the device token got nothing")
        }
    }
}
