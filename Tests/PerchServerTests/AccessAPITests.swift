import Foundation
import HTTPTypes
import PerchTestSupport
import Testing
import PerchCore
import Synchronization
@testable import PerchServer

@Suite("Keys and scopes")
struct AccessAPITests {
    @Test func keysHaveExactlyTheirScopes() async throws {
        try await TestServer().run { client in
            let one = try await client.createApp("one")
            let two = try await client.createApp("two")
            let register: JSONValue = ["platform": "apns", "token": .string(Tokens.apns(5)), "installationId": "i", "userId": "u"]
            #expect(try await client.call(.post, "/v1/tokens", json: register).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/tokens", key: "pk_unknownunknownunknownunknown00", json: register).status == .unauthorized)
            #expect(try await client.call(.post, "/v1/tokens", key: TestServer.adminKey, json: register).status == .forbidden)
            #expect(try await client.call(.post, "/v1/tokens", key: one.publishable, json: one.proving(register)).status == .created)
            #expect(try await client.call(.post, "/v1/tokens", key: one.secret, json: register).status == .ok)

            // publishable keys cannot read users; another app's key sees nothing (404)
            #expect(try await client.call(.get, "/v1/users/u", key: one.publishable).status == .forbidden)
            #expect(try await client.call(.get, "/v1/users/u", key: one.secret).status == .ok)
            #expect(try await client.call(.get, "/v1/users/u", key: two.secret).status == .notFound)
            #expect(try await client.call(.get, "/v1/users/u/export", key: two.secret).status == .notFound)
            #expect(try await client.call(.delete, "/v1/users/u", key: two.secret).status == .notFound)
            // Another app's publishable key is answered as for an id it never had, and changes nothing of app one's.
            #expect(try await client.call(.delete, "/v1/installations/i", key: two.publishable).json == ["installationId": "i", "status": "revoked"])
            #expect(try await client.call(.get, "/v1/installations/i", key: one.secret)["status"] == "active")
            #expect(try await client.call(.delete, "/v1/installations/i", key: two.secret).status == .notFound)
            #expect(try await client.call(.put, "/v1/apps/\(one.id)/gateways/webpush", key: two.secret,
                                          json: ["subject": "mailto:a@b.c"]).status == .notFound)
            #expect(try await client.call(.put, "/v1/apps/\(one.id)/gateways/webpush", key: one.publishable,
                                          json: ["subject": "mailto:a@b.c"]).status == .forbidden)
            // only the admin key creates apps
            #expect(try await client.call(.post, "/v1/apps", key: one.secret, json: ["name": "x"]).status == .forbidden)
            #expect(try await client.call(.post, "/v1/apps", json: ["name": "x"]).status == .unauthorized)
            let missingName = try await client.call(.post, "/v1/apps", key: TestServer.adminKey, json: [:])
            #expect(missingName.status == .badRequest && missingName.errorField == "name")
        }
    }

    @Test func noRawTokenOrKeyReachesTheLogs() async throws {
        let server = try TestServer()
        let apnsToken = Tokens.apns(77)
        let fcmToken = Tokens.fcm(77)
        let subscription = Tokens.subscription(endpoint: "https://127.0.0.1:9/push/secret-subscription-path")
        let keys = Mutex<[String]>([])
        try await server.run { client in
            let app = try await client.createApp()
            keys.withLock { $0 = [app.publishable, app.secret] }
            _ = try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret,
                                      json: ["subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1"]])
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "apns", "token": .string(apnsToken), "installationId": "a"])
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "fcm", "token": .string(fcmToken), "installationId": "f"])
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "webpush", "subscription": subscription, "installationId": "w"])
            // failures too: a bad token is echoed nowhere
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "apns", "token": .string(apnsToken + "zz"), "installationId": "a"])
            _ = try await client.call(.get, "/v1/users/nobody", key: app.secret)
            _ = try await client.call(.get, "/v1/users/nobody", key: "sk_" + String(repeating: "Q", count: 32))
        }
        let logs = server.logs.text
        #expect(!logs.isEmpty, "the server logged nothing, so the check would be empty")
        for secret in [apnsToken, fcmToken, "secret-subscription-path", TestServer.adminKey, String(repeating: "Q", count: 32)] + keys.withLock({ $0 }) {
            #expect(!logs.contains(secret))
        }
        #expect(logs.contains("hb.request.id"))
    }

    @Test func theRequestLogNamesRoutesNeverTheIdsInThePath() async throws {
        let server = try TestServer()
        let userId = "log-person-5d2e81"
        let installationId = "log-install-9c41b7"
        try await server.run { client in
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable,
                                      json: ["platform": "apns", "token": .string(Tokens.apns(5)), "installationId": .string(installationId)])
            _ = try await client.call(.put, "/v1/installations/\(installationId)/consent", key: app.publishable,
                                      json: ["status": "granted", "source": "prompt"])
            _ = try await client.call(.put, "/v1/users/\(userId)", key: app.secret, json: ["attributes": ["plan": "pro"]])
            _ = try await client.call(.get, "/v1/users/\(userId)/export", key: app.secret)
            _ = try await client.call(.delete, "/v1/users/\(userId)", key: app.secret)
            _ = try await client.call(.get, "/v1/no-such-route/\(userId)", key: app.secret)
        }
        let logs = server.logs.text
        #expect(logs.contains("/v1/users/{userId}/export") && logs.contains("/v1/installations/{installationId}/consent"),
                "each request is logged with its route's template")
        #expect(!logs.contains(userId) && !logs.contains(installationId))
    }
}
