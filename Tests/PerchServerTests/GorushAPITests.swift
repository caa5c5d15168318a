import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// `POST /api/push`: gorush's documented bodies, sent through the real gateways to the simulators over HTTP/2 + TLS,
/// on SQLite and on PostgreSQL.
@Suite("POST /api/push (gorush)")
struct GorushAPITests {
    static func connectFCM(_ client: TestServer.Client, _ app: TestServer.TestApp, _ endpoints: SimulatorEndpoints) async throws {
        let answer = try await client.call(.put, "/v1/apps/\(app.id)/gateways/fcm", key: app.secret, json: [
            "serviceAccount": try #require(JSONValue(jsonText: endpoints.fcmServiceAccountJSON)), "endpoint": .string(endpoints.fcmURL),
            "caCertificate": .string(endpoints.caCertificatePEM),
        ])
        #expect(answer.status == .ok, "\(answer.json)")
    }

    static func body(_ fixture: String, tokens: [String]) -> String {
        var text = fixture
        if tokens.count > 0 { text = text.replacingOccurrences(of: "\"token_a\"", with: "\"\(tokens[0])\"") }
        if tokens.count > 1 { text = text.replacingOccurrences(of: "\"token_b\"", with: "\"\(tokens[1])\"") }
        return text
    }

    static func logs(_ answer: Answer) -> [[String: JSONValue]] {
        guard case .array(let items)? = answer["logs"] else { return [] }
        return items.compactMap(\.objectValue)
    }

    @Test(arguments: TestBackend.allCases) func gorushsIOSExampleIsSentToAPNsAndADeadTokenIsRetiredAndReported(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            let live = Tokens.apns(7001), dead = Tokens.apns(7002)
            simulator.markInvalid(platform: .apns, token: dead)
            let answer = try await client.call(.post, "/api/push", key: app.secret, raw: Self.body(GorushFixtures.iOSSoundAndBadge, tokens: [live, dead]))
            #expect(answer.status == .ok, "\(answer.json)")
            #expect(answer["counts"] == 2 && answer["success"] == "ok")

            let delivered = try #require(simulator.received(platform: .apns).first { $0.token == live })
            let aps = try #require(delivered.jsonObject?["aps"] as? [String: Any])
            #expect(aps["badge"] as? Int == 9)
            #expect((aps["alert"] as? [String: Any])?["body"] as? String == "You got your emails.")
            let sound = try #require(aps["sound"] as? [String: Any])
            #expect(sound["critical"] as? Int == 1 && sound["name"] as? String == "default" && (sound["volume"] as? NSNumber)?.doubleValue == 1.0)

            let logs = Self.logs(answer)
            #expect(logs.count == 1, "only the failure is logged, as in gorush's sync mode")
            let failure = try #require(logs.first)
            #expect(failure["type"] == "failed-push" && failure["platform"] == "ios" && failure["outcome"] == "retired", "\(answer.json)")
            #expect(failure["reason"] == "Unregistered" && failure["token_index"] == 1 && failure["message"] == "You got your emails.")
            #expect(failure["token"]?.stringValue?.contains(dead) == false && !answer.json.jsonText.contains(dead), "tokens are masked")

            // Both tokens are in the registry now; the dead one retired with APNs' reason.
            let health = try await client.call(.get, "/v1/metrics/tokens", key: app.secret)
            #expect(health["byStatus"]?.objectValue?["active"] == 1 && health["byStatus"]?.objectValue?["invalid"] == 1, "\(health.json)")
            #expect(health["retirementsByReason"]?.objectValue?["invalid:Unregistered"] == 1, "\(health.json)")

            // Sent again, the retired token is not sent to (Perch's registry says it is dead).
            let before = simulator.counters(platform: .apns).received
            let again = try await client.call(.post, "/api/push", key: app.secret, raw: Self.body(GorushFixtures.iOSSoundAndBadge, tokens: [live, dead]))
            #expect(simulator.counters(platform: .apns).received == before + 1)
            #expect(Self.logs(again).first?["outcome"] == "suppressed" && Self.logs(again).first?["reason"] == "token_invalid")
        }
    }

    @Test(arguments: TestBackend.allCases) func gorushsAndroidExampleIsSentToFCMWithItsDataAndBasicAuthWorks(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectFCM(client, app, endpoints)
            let first = Tokens.fcm(8001), second = Tokens.fcm(8002)
            simulator.markInvalid(platform: .fcm, token: second)
            var headers = HTTPFields()
            headers[.authorization] = "Basic " + Data("app:\(app.secret)".utf8).base64EncodedString()
            headers[.contentType] = "application/json"
            let answer = try await client.raw(.post, "/api/push", headers: headers, body: Self.body(GorushFixtures.androidData, tokens: [first, second]))
            #expect(answer.status == .ok, "\(answer.json)")
            #expect(answer["counts"] == 2)
            let delivered = try #require(simulator.received(platform: .fcm).first { $0.token == first })
            // The simulator records the HTTP v1 `message` object itself.
            let message = try #require(delivered.jsonObject, "\(delivered.text ?? "")")
            #expect((message["notification"] as? [String: Any])?["title"] as? String == "You got message")
            #expect((message["notification"] as? [String: Any])?["body"] as? String == "Hello World Android!")
            // gorush's data, and the ids every push Perch sends carries for its events.
            let data = try #require(message["data"] as? [String: String])
            #expect(data.filter { !$0.key.hasPrefix("perch") } == ["Nick": "Mario", "body": "great match!", "Room": "PortugalVSDenmark"])
            #expect(data["perchDeliveryId"]?.hasPrefix("dlv_") == true && data["perchCampaignId"] == answer["send_ids"]?.arrayValue?.first?.stringValue, "\(data)")
            let logs = Self.logs(answer)
            #expect(logs.count == 1 && logs.first?["platform"] == "android" && logs.first?["outcome"] == "retired")
            #expect(logs.first?["reason"] == "UNREGISTERED")

            var wrong = HTTPFields()
            wrong[.authorization] = "Basic " + Data("app:sk_wrong".utf8).base64EncodedString()
            wrong[.contentType] = "application/json"
            #expect(try await client.raw(.post, "/api/push", headers: wrong, body: GorushFixtures.androidData).status == .unauthorized)
            #expect(try await client.call(.post, "/api/push", key: app.publishable, raw: GorushFixtures.androidData).status == .forbidden)
        }
    }

    @Test(arguments: TestBackend.allCases) func placeholdersUnknownPlatformsAndTopicsAreReportedPerNotification(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            // gorush's example verbatim: its placeholder tokens are no APNs tokens.
            let verbatim = try await client.call(.post, "/api/push", key: app.secret, raw: GorushFixtures.iOSSoundAndBadge)
            #expect(verbatim.status == .ok && verbatim["counts"] == 2)
            let rejected = Self.logs(verbatim)
            #expect(rejected.count == 2 && rejected.allSatisfy { $0["outcome"] == "rejected" && $0["reason"] == "invalid_field" })
            #expect(rejected.first?["error"]?.stringValue?.contains("hexadecimal") == true)
            #expect(simulator.counters(platform: .apns).received == 0)

            let mixed: JSONValue = ["notifications": [
                ["tokens": [.string(Tokens.apns(9001))], "platform": 3, "message": "Huawei"],
                ["tokens": [.string(Tokens.apns(9002))], "platform": 7, "message": "what"],
                ["tokens": [.string(Tokens.apns(9003))], "platform": 1, "message": "wrong topic", "topic": "com.other.app"],
                ["to": "/topics/foo-bar", "platform": 2, "message": "This is a Firebase Cloud Messaging Topic Message"],
                ["tokens": [.string(Tokens.apns(9004))], "platform": 1, "message": "fine", "topic": .string(endpoints.apns.topic),
                 "priority": "normal", "content_available": true, "mutable_content": true, "category": "NEWS"],
            ]]
            let answer = try await client.call(.post, "/api/push", key: app.secret, json: mixed)
            #expect(answer.status == .ok && answer["counts"] == 5)
            #expect(answer["send_ids"]?.arrayValue?.map { $0 == .null } == [true, true, true, true, false], "only the last one was sent")
            let logs = Self.logs(answer)
            #expect(logs.map { $0["index"] } == [0, 1, 2, 3])
            #expect(logs[0]["reason"] == "unsupported" && logs[0]["platform"] == "huawei" && logs[0]["error"]?.stringValue?.contains("Huawei") == true)
            #expect(logs[1]["reason"] == "invalid_field" && logs[1]["error"]?.stringValue?.contains("platform 7") == true)
            #expect(logs[2]["error"]?.stringValue?.contains("com.other.app") == true)
            #expect(logs[3]["reason"] == "unsupported")
            let sent = try #require(simulator.received(platform: .apns).last)
            #expect(sent.token == Tokens.apns(9004) && sent.headers["apns-priority"] == "5")
            let aps = try #require(sent.jsonObject?["aps"] as? [String: Any])
            #expect(aps["content-available"] as? Int == 1 && aps["mutable-content"] as? Int == 1 && aps["category"] as? String == "NEWS")

            let empty = try await client.call(.post, "/api/push", key: app.secret, json: ["notifications": []])
            #expect(empty.status == .badRequest && empty.errorField == "notifications")
            let missing = try await client.call(.post, "/api/push", key: app.secret, json: ["foo": 1])
            #expect(missing.status == .badRequest && missing.errorField == "notifications")
        }
    }

    @Test(arguments: TestBackend.allCases) func aGorushPushIsATransactionalSendInTheCampaignMetricsAndExplain(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            let known = Tokens.apns(7101), unknown = Tokens.apns(7102)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(known), "environment": "production", "installationId": "iphone", "consent": "granted"])
            let answer = try await client.call(.post, "/api/push", key: app.secret, json: ["notifications": [
                ["tokens": [.string(known), .string(unknown)], "platform": 1, "message": "through the queue"]]])
            #expect(answer.status == .ok && answer["counts"] == 2 && Self.logs(answer).isEmpty, "\(answer.json)")

            // One transactional send, named in the answer (gorush's shape plus send_ids) and counted like any campaign
            // once its two pushes are accepted.
            let id = try #require(answer["send_ids"]?.arrayValue?.first?.stringValue, "\(answer.json)")
            let status = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)
            #expect(status["kind"] == "transactional" && status["name"] == "api/push", "\(status.json)")
            let counts = status["counts"]?.objectValue
            #expect(counts?["attempted"] == 2 && counts?["accepted"] == 2, "\(status.json)")

            // explain names the delivery of the known installation, and the push carries its ids for event attribution.
            let explained = try await client.call(.get, "/v1/campaigns/\(id)/explain?installationId=iphone", key: app.secret)
            let decision = try #require(explained["decisions"]?.arrayValue?.first?.objectValue, "\(explained.json)")
            #expect(explained["verdict"] == "sent" && decision["outcome"] == "accepted", "\(explained.json)")
            let pushed = try #require(simulator.received(platform: .apns).first { $0.token == known })
            #expect(pushed.jsonObject?["perchCampaignId"] as? String == id)
            #expect(pushed.jsonObject?["perchDeliveryId"] as? String == decision["deliveryId"]?.stringValue)

            // time_to_live 0 is now or never: sent at once, with an apns-expiration no later than the next second.
            let now = try await client.call(.post, "/api/push", key: app.secret, json: ["notifications": [
                ["tokens": [.string(known)], "platform": 1, "message": "now or never", "time_to_live": 0]]])
            #expect(now.status == .ok && Self.logs(now).isEmpty, "\(now.json)")
            let once = try #require(simulator.received(platform: .apns).last { $0.token == known })
            let expiration = try #require(once.headers["apns-expiration"].flatMap { Int($0) }, "\(once.headers)")
            #expect(expiration <= Int(Date().timeIntervalSince1970) + 1)
        }
    }
}

extension TestServer.Client {
    /// A request with headers of the test's choosing.
    func raw(_ method: HTTPRequest.Method, _ path: String, headers: HTTPFields, body: String) async throws -> Answer {
        try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
            let text = String(buffer: response.body)
            return Answer(status: response.status, headers: response.headers, json: JSONValue(jsonText: text) ?? .string(text))
        }
    }
}
