import Foundation
import HTTPTypes
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

@Suite("POST /v1/tokens")
struct RegistrationAPITests {
    @Test(arguments: TestBackend.allCases) func registerThenRefreshIsIdempotent(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let body: JSONValue = ["platform": "apns", "token": .string(Tokens.apns(1).uppercased()), "installationId": "ios-1",
                                   "userId": "alice", "consent": "granted", "timezone": "Europe/Berlin", "locale": "de_DE", "appVersion": "3.1.0"]
            let first = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving(body))
            #expect(first.status == .created)
            #expect(first["installationId"] == "ios-1" && first["status"] == "active" && first["consent"] == "granted" && first["userId"] == "alice")
            let second = try await client.call(.post, "/v1/tokens", key: app.publishable, json: body)
            #expect(second.status == .ok && second["id"] == first["id"])
            #expect(first.headers[HTTPField.Name("x-request-id")!] != nil)
        }
    }

    @Test(arguments: TestBackend.allCases) func invalidInputIsA400NamingTheFieldAndChangesNothing(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let app = try await client.createApp()
            let good: [String: JSONValue] = ["platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "ios-1", "consent": "granted",
                                             "timezone": "Europe/Berlin"]
            #expect(try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(good)).status == .created)
            let before = try await server.store.installation(appId: app.id, installationId: "ios-1")
            let healthBefore = try await server.store.tokenHealth(appId: app.id, filter: .init())

            func variant(_ changes: [String: JSONValue?]) -> JSONValue {
                var body = good
                body["token"] = .string(Tokens.apns(2))
                for (key, value) in changes { body[key] = value }
                return .object(body)
            }
            let cases: [(JSONValue, String)] = [
                (variant(["platform": "sms"]), "platform"),
                (variant(["platform": nil]), "platform"),
                (variant(["token": "xyz"]), "token"),
                (variant(["token": .string(String(repeating: "a", count: 202))]), "token"),
                (variant(["token": 42]), "token"),
                (variant(["installationId": "has spaces"]), "installationId"),
                (variant(["installationId": nil]), "installationId"),
                (variant(["userId": .string(String(repeating: "u", count: 300))]), "userId"),
                (variant(["timezone": "Atlantis/Capital"]), "timezone"),
                (variant(["locale": "not a locale"]), "locale"),
                (variant(["appVersion": .string(String(repeating: "1", count: 65))]), "appVersion"),
                (variant(["environment": "staging"]), "environment"),
                (variant(["consent": "maybe"]), "consent"),
                (variant(["previousToken": "nothex"]), "previousToken"),
                (variant(["attributes": "not-an-object"]), "attributes"),
                (variant(["platform": "fcm", "token": "too-short"]), "token"),
                (variant(["platform": "webpush"]), "subscription"),
                (variant(["platform": "webpush", "subscription": ["endpoint": "http://push.example.com/x", "keys": ["p256dh": "AA", "auth": "AA"]]]),
                 "subscription.endpoint"),
                (variant(["platform": "webpush", "subscription": ["endpoint": "https://push.example.com/x", "keys": ["p256dh": "AAAA", "auth": "AAAA"]]]),
                 "subscription.keys.p256dh"),
            ]
            for (body, field) in cases {
                let answer = try await client.call(.post, "/v1/tokens", key: app.publishable, json: body)
                #expect(answer.status == .badRequest, "\(field): \(answer.json)")
                #expect(answer.errorField == field, "\(answer.json)")
            }
            let malformed = try await client.call(.post, "/v1/tokens", key: app.publishable, raw: "{\"platform\": ")
            #expect(malformed.status == .badRequest && malformed.errorField == "body" && malformed.errorCode == "malformed_body")
            let huge = try await client.call(.post, "/v1/tokens", key: app.publishable,
                                             json: variant(["attributes": ["blob": .string(String(repeating: "x", count: 70_000))]]))
            #expect(huge.status == .contentTooLarge && huge.errorField == "body")

            #expect(try await server.store.installation(appId: app.id, installationId: "ios-1") == before)
            #expect(try await server.store.tokenHealth(appId: app.id, filter: .init()) == healthBefore)
        }
    }

    // Where a Web Push endpoint may point: GatewayEgressTests.

    @Test(arguments: TestBackend.allCases) func tokenRefreshAndMoveThroughTheAPI(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let app = try await client.createApp()
            let first = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving([
                "platform": "fcm", "token": .string(Tokens.fcm(1)), "installationId": "droid", "userId": "bob", "consent": "granted"]))
            let refreshed = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "fcm", "token": .string(Tokens.fcm(2)), "installationId": "droid-reinstalled", "previousToken": .string(Tokens.fcm(1))])
            #expect(refreshed.status == .created && refreshed["userId"] == "bob" && refreshed["consent"] == "granted")
            let old = try await client.call(.get, "/v1/installations/droid", key: app.secret)
            #expect(old["status"] == "replaced" && old["tokenId"] == first["id"])
        }
    }
}
