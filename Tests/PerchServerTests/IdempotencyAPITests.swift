import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PerchTestSupport
import Testing
import PerchCore
import PerchSimulator
@testable import PerchServer

/// `Idempotency-Key` on the four sending routes, through the real gateways to the simulators, on SQLite and on PostgreSQL:
/// the same request twice sends once (counted at the simulator) and answers the first answer again.
@Suite("Idempotency-Key")
struct IdempotencyAPITests {
    static func key(_ value: String) -> HTTPFields { [IdempotencyMiddleware.keyHeader: value] }

    @Test(arguments: TestBackend.allCases) func theSameSendTwiceSendsOnceAndAnswersTheFirstAnswer(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(1)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted"])
            let body: JSONValue = ["to": ["installationId": "phone"], "message": ["title": "Receipt", "body": "Order 42 paid"]]
            let first = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key("order-42-receipt"))
            #expect(first.status == .ok, "\(first.json)")
            #expect(first.headers[IdempotencyMiddleware.replayedHeader] == nil)
            let retry = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key("order-42-receipt"))
            #expect(retry.status == .ok)
            #expect(retry.headers[IdempotencyMiddleware.replayedHeader] == "true")
            #expect(retry.json == first.json, "the first answer, sendId and all")
            #expect(simulator.counters(platform: .apns).accepted == 1, "sent once")

            let other = try await client.call(.post, "/v1/send", key: app.secret,
                                              json: ["to": ["installationId": "phone"], "message": ["title": "Receipt", "body": "Order 43 paid"]],
                                              headers: Self.key("order-42-receipt"))
            #expect(other.status == .unprocessableContent && other.errorCode == "idempotency_key_reused" && other.errorField == "Idempotency-Key")

            let fresh = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key("order-42-receipt-2"))
            #expect(fresh.status == .ok && fresh["sendId"] != first["sendId"])
            let unkeyed = try await client.call(.post, "/v1/send", key: app.secret, json: body)
            #expect(unkeyed.status == .ok && unkeyed.headers[IdempotencyMiddleware.replayedHeader] == nil)
            #expect(simulator.counters(platform: .apns).accepted == 3, "another key, or none, sends again")

            for bad in ["a\tb", String(repeating: "k", count: 256)] {
                let refused = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key(bad))
                #expect(refused.status == .badRequest && refused.errorField == "Idempotency-Key", "\(refused.json)")
            }
            #expect(simulator.counters(platform: .apns).accepted == 3)
        }
    }

    @Test(arguments: TestBackend.allCases) func campaignCreateSendAndGorushAreIdempotentAndErrorsKeepNothing(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(2)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted"])
            // A refused request keeps nothing: the corrected one may use the same key.
            let refused = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "", "audience": ["installationIds": ["phone"]], "message": ["title": "t", "body": "b"]], headers: Self.key("create-1"))
            #expect(refused.status == .badRequest)
            let campaign: JSONValue = ["name": "Spring", "audience": ["installationIds": ["phone"]], "message": ["title": "Spring", "body": "is here"]]
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: campaign, headers: Self.key("create-1"))
            #expect(created.status == .created, "\(created.json)")
            let again = try await client.call(.post, "/v1/campaigns", key: app.secret, json: campaign, headers: Self.key("create-1"))
            #expect(again.status == .created && again["id"] == created["id"] && again.headers[IdempotencyMiddleware.replayedHeader] == "true")
            #expect(try await client.call(.get, "/v1/campaigns", key: app.secret)["campaigns"]?.arrayValue?.count == 1, "created once")

            let id = try #require(created["id"]?.stringValue)
            let sent = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret, headers: Self.key("send-1"))
            #expect(sent.status == .accepted, "\(sent.json)")
            _ = try await CampaignAPITests.wait(client, app, id, for: "completed")
            let resent = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret, headers: Self.key("send-1"))
            #expect(resent.status == .accepted && resent.json == sent.json && resent.headers[IdempotencyMiddleware.replayedHeader] == "true")
            #expect(simulator.counters(platform: .apns).accepted == 1)

            let push: JSONValue = ["notifications": [["tokens": [.string(Tokens.apns(2))], "platform": 1, "message": "gorush says hi"]]]
            let pushed = try await client.call(.post, "/api/push", key: app.secret, json: push, headers: Self.key("push-1"))
            #expect(pushed.status == .ok, "\(pushed.json)")
            let repushed = try await client.call(.post, "/api/push", key: app.secret, json: push, headers: Self.key("push-1"))
            #expect(repushed.status == .ok && repushed.headers[IdempotencyMiddleware.replayedHeader] == "true")
            #expect(simulator.counters(platform: .apns).accepted == 2, "the gorush push was sent once")

            // Keys belong to an app: another app's same key is its own.
            let otherApp = try await client.createApp("Other")
            let elsewhere = try await client.call(.post, "/v1/campaigns", key: otherApp.secret, json: [
                "name": "Other", "audience": ["installationIds": ["x"]], "message": ["title": "t", "body": "b"]], headers: Self.key("create-1"))
            #expect(elsewhere.status == .created && elsewhere.headers[IdempotencyMiddleware.replayedHeader] == nil, "\(elsewhere.json)")
        }
    }
    @Test(arguments: TestBackend.allCases) func aRetryWhileTheFirstIsInFlightIs409AndAnotherBodyIs422(_ backend: TestBackend) async throws {
        // The simulator answers after two seconds: the first send is still at the gateway when its retry comes.
        try await SendAPITests.withSending(on: backend, simulatorLatency: .seconds(2)) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(3)), "environment": "production",
                                                              "installationId": "phone", "consent": "granted"])
            let body: JSONValue = ["to": ["installationId": "phone"], "message": ["title": "Receipt", "body": "Order 44 paid"]]
            // The first request on a connection of its own (the test client's one connection answers in order).
            let port = try #require(client.client.port)
            let first = Task {
                try await TestClient.withClient(host: "localhost", port: port) { connection in
                    var headers = Self.key("order-44")
                    headers[.authorization] = "Bearer \(app.secret)"
                    headers[.contentType] = "application/json"
                    let response = try await connection.execute(TestClient.Request("/v1/send", method: .post, headers: headers,
                                                                                   body: ByteBuffer(string: body.jsonText)))
                    return (status: response.status, json: JSONValue(jsonText: String(buffer: response.body ?? ByteBuffer())) ?? .null)
                }
            }
            try await eventually("the first send at the gateway") { simulator.counters(platform: .apns).received == 1 }

            let inFlight = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key("order-44"))
            #expect(inFlight.status == .conflict && inFlight.errorCode == "idempotency_key_in_progress"
                    && inFlight.errorField == "Idempotency-Key", "\(inFlight.json)")
            let otherBody = try await client.call(.post, "/v1/send", key: app.secret,
                                                  json: ["to": ["installationId": "phone"], "message": ["title": "Receipt", "body": "Order 45 paid"]],
                                                  headers: Self.key("order-44"))
            #expect(otherBody.status == .unprocessableContent && otherBody.errorCode == "idempotency_key_reused"
                    && otherBody.errorField == "Idempotency-Key", "another body is refused even while the first is in flight: \(otherBody.json)")

            let answered = try await first.value
            #expect(answered.status == .ok, "\(answered.json)")
            let retried = try await client.call(.post, "/v1/send", key: app.secret, json: body, headers: Self.key("order-44"))
            #expect(retried.status == .ok && retried.json == answered.json && retried.headers[IdempotencyMiddleware.replayedHeader] == "true")
            let otherPath = try await client.call(.post, "/v1/campaigns", key: app.secret, json: body, headers: Self.key("order-44"))
            #expect(otherPath.status == .unprocessableContent && otherPath.errorCode == "idempotency_key_reused", "\(otherPath.json)")
            #expect(simulator.counters(platform: .apns).received == 1, "neither the retries nor the refused requests sent anything")
        }
    }
    @Test(arguments: TestBackend.allCases) func erasingAPersonForgetsTheStoredAnswersThatNameThem(_ backend: TestBackend) async throws {
        try await SendAPITests.withSending(on: backend) { client, simulator, endpoints, app in
            try await SendAPITests.connectAPNs(client, app, endpoints)
            for (seed, user) in [(4, "ada"), (5, "grace")] {
                try await CampaignAPITests.register(client, app, ["platform": "apns", "token": .string(Tokens.apns(seed)), "environment": "production",
                                                                  "installationId": .string("\(user)-phone"), "userId": .string(user),
                                                                  "consent": "granted"])
            }
            func send(to user: String) async throws -> Answer {
                try await client.call(.post, "/v1/send", key: app.secret,
                                      json: ["to": ["userId": .string(user)], "message": ["title": "Receipt", "body": "paid"]],
                                      headers: Self.key("receipt-\(user)"))
            }
            let campaign: JSONValue = ["name": "Ada only", "audience": ["userIds": ["ada"]], "message": ["title": "Hi", "body": "Ada"]]
            #expect(try await send(to: "ada").status == .ok)
            #expect(try await send(to: "grace").status == .ok)
            #expect(try await client.call(.post, "/v1/campaigns", key: app.secret, json: campaign, headers: Self.key("ada-campaign")).status == .created)
            #expect(try await send(to: "ada").headers[IdempotencyMiddleware.replayedHeader] == "true", "stored before the erasure")

            #expect(try await client.call(.delete, "/v1/users/ada", key: app.secret).status == .ok)

            // Ada's installation id, token id and user id were in those answers: none of them is replayed any more.
            let afterwards = try await send(to: "ada")
            #expect(afterwards.headers[IdempotencyMiddleware.replayedHeader] == nil, "\(afterwards.json)")
            #expect(!afterwards.json.jsonText.contains("ada-phone"))
            let recreated = try await client.call(.post, "/v1/campaigns", key: app.secret, json: campaign, headers: Self.key("ada-campaign"))
            #expect(recreated.headers[IdempotencyMiddleware.replayedHeader] == nil, "\(recreated.json)")
            // Grace's answer names only Grace: it stays, and her retry still sends nothing again.
            let grace = try await send(to: "grace")
            #expect(grace.status == .ok && grace.headers[IdempotencyMiddleware.replayedHeader] == "true")
            #expect(simulator.counters(platform: .apns).accepted == 2)
        }
    }
}
