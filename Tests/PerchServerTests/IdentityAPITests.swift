import Foundation
import HTTPTypes
import Synchronization
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

/// Identity verification: with the publishable key — which every copy of the app holds — a request that binds an
/// installation to a user, or moves it to another user, carries `userAuth`, an HS256 JWT the app's backend signs with
/// the app's identity secret (`sub` = the user id, `exp` required).
@Suite("Identity verification")
struct IdentityAPITests {
    typealias App = TestServer.TestApp

    static func registerAnonymous(_ client: TestServer.Client, _ app: App, _ installationId: String, seed: Int = 1) async throws {
        let answer = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
            "platform": "apns", "token": .string(Tokens.apns(seed)), "environment": "production", "installationId": .string(installationId)])
        #expect(answer.status == .created, "\(answer.json)")
    }

    static func boundUser(_ client: TestServer.Client, _ app: App, _ installationId: String) async throws -> JSONValue? {
        try await client.call(.get, "/v1/installations/\(installationId)", key: app.secret)["userId"]
    }

    /// Every way a `userAuth` can be wrong, each answered 401 naming `userAuth`.
    static func forgeries(_ app: App, userId: String, now: Date) -> [(String, JSONValue?)] {
        let valid: JSONValue = ["sub": .string(userId), "exp": .integer(Int(now.timeIntervalSince1970) + 600)]
        return [
            ("missing", nil),
            ("empty", ""),
            ("not a JWT", "certainly-not-a-jwt"),
            ("two parts", .string(String(app.userAuth(for: userId, expiresAt: now.addingTimeInterval(600)).split(separator: ".").prefix(2).joined(separator: ".")))),
            ("signed with another secret", .string(TestJWT.hs256(valid, secret: "is_" + String(repeating: "x", count: 43)))),
            ("signed with the publishable key", .string(TestJWT.hs256(valid, secret: app.publishable))),
            ("expired", .string(app.userAuth(for: userId, expiresAt: now.addingTimeInterval(-3600)))),
            ("for another user", .string(app.userAuth(for: userId + "-other", expiresAt: now.addingTimeInterval(600)))),
            ("without exp", .string(TestJWT.hs256(["sub": .string(userId)], secret: app.identitySecret))),
            ("without sub", .string(TestJWT.hs256(["exp": .integer(Int(now.timeIntervalSince1970) + 600)], secret: app.identitySecret))),
            ("alg none", .string(TestJWT.unsigned(valid))),
            ("alg HS512 header over an HS256 signature", .string(TestJWT.hs256(valid, secret: app.identitySecret, header: ["alg": "HS512", "typ": "JWT"]))),
        ]
    }

    @Test(arguments: TestBackend.allCases) func identifyWithThePublishableKeyNeedsProofOfTheUser(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            try await Self.registerAnonymous(client, app, "phone")
            for (name, userAuth) in Self.forgeries(app, userId: "alice", now: Date()) {
                var body: [String: JSONValue] = ["installationId": "phone", "userId": "alice"]
                body["userAuth"] = userAuth
                let answer = try await client.call(.post, "/v1/identify", key: app.publishable, json: .object(body))
                #expect(answer.status == .unauthorized && answer.errorField == "userAuth", "\(name): \(answer.status) \(answer.json)")
            }
            // Not a string at all is malformed input: 400, still naming the field.
            let number = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "phone", "userId": "alice", "userAuth": 42])
            #expect(number.status == .badRequest && number.errorField == "userAuth")
            #expect(try await Self.boundUser(client, app, "phone") == nil, "no forgery bound the installation")

            let bound = try await client.call(.post, "/v1/identify", key: app.publishable, json: [
                "installationId": "phone", "userId": "alice", "userAuth": .string(app.userAuth(for: "alice"))])
            #expect(bound.status == .ok && bound["userId"] == "alice", "\(bound.json)")
            // Naming the user it already has changes nothing, so it needs no proof.
            let again = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "phone", "userId": "alice"])
            #expect(again.status == .ok && again["userId"] == "alice")
            // Moving it to another user does — the takeover the issue describes.
            let takeover = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "phone", "userId": "mallory"])
            #expect(takeover.status == .unauthorized && takeover.errorField == "userAuth")
            let withAlicesProof = try await client.call(.post, "/v1/identify", key: app.publishable, json: [
                "installationId": "phone", "userId": "mallory", "userAuth": .string(app.userAuth(for: "alice"))])
            #expect(withAlicesProof.status == .unauthorized, "a proof is for one user only")
            #expect(try await Self.boundUser(client, app, "phone") == "alice")
            // Another app's identity secret proves nothing here.
            let other = try await client.createApp("Other")
            let foreign = try await client.call(.post, "/v1/identify", key: app.publishable, json: [
                "installationId": "phone", "userId": "bob", "userAuth": .string(other.userAuth(for: "bob"))])
            #expect(foreign.status == .unauthorized && foreign.errorField == "userAuth")
            let log = try await client.call(.get, "/v1/installations/phone", key: app.secret)
            #expect(!log.json.jsonText.contains(app.identitySecret), "the secret is never shown again")
        }
    }

    @Test(arguments: TestBackend.allCases) func aRegistrationNamingAUserNeedsProofOnlyWhenItChangesTheBinding(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let body: [String: JSONValue] = ["platform": "fcm", "token": .string(Tokens.fcm(1)), "installationId": "pixel", "userId": "alice"]
            for (name, userAuth) in Self.forgeries(app, userId: "alice", now: Date()) {
                var forged = body
                forged["userAuth"] = userAuth
                let answer = try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(forged))
                #expect(answer.status == .unauthorized && answer.errorField == "userAuth", "\(name): \(answer.status) \(answer.json)")
            }
            #expect(try await client.call(.get, "/v1/installations/pixel", key: app.secret).status == .notFound, "nothing was written")

            let first = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving(.object(body)))
            #expect(first.status == .created && first["userId"] == "alice", "\(first.json)")
            // The app's background token refresh holds no fresh proof: repeating the user id, or omitting it, keeps the binding.
            var refresh = body
            refresh["token"] = .string(Tokens.fcm(2))
            let refreshed = try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(refresh))
            #expect(refreshed.status == .created && refreshed["userId"] == "alice", "\(refreshed.json)")
            refresh["token"] = .string(Tokens.fcm(3))
            refresh["userId"] = nil
            let anonymousRefresh = try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(refresh))
            #expect(anonymousRefresh.status == .created && anonymousRefresh["userId"] == "alice", "\(anonymousRefresh.json)")
            // Naming another user is a change of binding again.
            refresh["userId"] = "mallory"
            let takeover = try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(refresh))
            #expect(takeover.status == .unauthorized && takeover.errorField == "userAuth")
            #expect(try await Self.boundUser(client, app, "pixel") == "alice")
        }
    }

    @Test(arguments: TestBackend.allCases) func theSecretKeyBindsWithoutProof(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            try await Self.registerAnonymous(client, app, "tablet")
            let identify = try await client.call(.post, "/v1/identify", key: app.secret, json: ["installationId": "tablet", "userId": "carol"])
            #expect(identify.status == .ok && identify["userId"] == "carol")
            let register = try await client.call(.post, "/v1/tokens", key: app.secret, json: [
                "platform": "apns", "token": .string(Tokens.apns(9)), "environment": "production", "installationId": "watch", "userId": "dave"])
            #expect(register.status == .created && register["userId"] == "dave")
        }
    }

    @Test(arguments: TestBackend.allCases) func identityVerificationIsTurnedOffOnlyWithTheSecretKey(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let other = try await client.createApp("Other")
            let shown = try await client.call(.get, "/v1/apps/\(app.id)", key: app.secret)
            #expect(shown.status == .ok && shown["identityVerification"] == "required" && shown["secretKey"] == nil && shown["identitySecret"] == nil)

            let off: JSONValue = ["identityVerification": "off"]
            #expect(try await client.call(.patch, "/v1/apps/\(app.id)", key: app.publishable, json: off).status == .forbidden)
            #expect(try await client.call(.patch, "/v1/apps/\(app.id)", json: off).status == .unauthorized)
            #expect(try await client.call(.patch, "/v1/apps/\(app.id)", key: other.secret, json: off).status == .notFound)
            let bad = try await client.call(.patch, "/v1/apps/\(app.id)", key: app.secret, json: ["identityVerification": "sometimes"])
            #expect(bad.status == .badRequest && bad.errorField == "identityVerification")
            let missing = try await client.call(.patch, "/v1/apps/\(app.id)", key: app.secret, json: [:])
            #expect(missing.status == .badRequest && missing.errorField == "identityVerification")

            try await Self.registerAnonymous(client, app, "phone")
            let turnedOff = try await client.call(.patch, "/v1/apps/\(app.id)", key: app.secret, json: off)
            #expect(turnedOff.status == .ok && turnedOff["identityVerification"] == "off")
            #expect(try await client.call(.get, "/v1/apps/\(app.id)", key: app.secret)["identityVerification"] == "off")
            let unproven = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "phone", "userId": "erin"])
            #expect(unproven.status == .ok && unproven["userId"] == "erin")
            // The other app is untouched.
            #expect(try await client.call(.get, "/v1/apps/\(other.id)", key: other.secret)["identityVerification"] == "required")

            let back = try await client.call(.patch, "/v1/apps/\(app.id)", key: app.secret, json: ["identityVerification": "required"])
            #expect(back["identityVerification"] == "required")
            let refused = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "phone", "userId": "frank"])
            #expect(refused.status == .unauthorized && refused.errorField == "userAuth")
        }
    }

    @Test(arguments: TestBackend.allCases) func aRotatedIdentitySecretVerifiesUntilItsGracePeriodEnds(_ backend: TestBackend) async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
        var server = try await TestServer.on(backend)
        server.now = { clock.withLock { $0 } }
        try await server.run { client in
            let app = try await client.createApp()
            let now = { clock.withLock { $0 } }
            for (seed, installation) in ["a", "b", "c", "d"].enumerated() { try await Self.registerAnonymous(client, app, installation, seed: 20 + seed) }
            func identify(_ installation: String, _ user: String, secret: String) async throws -> Answer {
                try await client.call(.post, "/v1/identify", key: app.publishable, json: [
                    "installationId": .string(installation), "userId": .string(user),
                    "userAuth": .string(app.userAuth(for: user, expiresAt: now().addingTimeInterval(600), secret: secret))])
            }

            #expect(try await client.call(.post, "/v1/apps/\(app.id)/identity-secret/rotate", key: app.publishable, json: [:]).status == .forbidden)
            for bad: JSONValue in [["graceSeconds": -1], ["graceSeconds": 1e12], ["graceSeconds": "soon"], ["graceSeconds": 1.5]] {
                let answer = try await client.call(.post, "/v1/apps/\(app.id)/identity-secret/rotate", key: app.secret, json: bad)
                #expect(answer.status == .badRequest && answer.errorField == "graceSeconds", "\(bad.jsonText): \(answer.json)")
            }
            let rotated = try await client.call(.post, "/v1/apps/\(app.id)/identity-secret/rotate", key: app.secret, json: ["graceSeconds": 3600])
            let newSecret = try #require(rotated["identitySecret"]?.stringValue)
            #expect(rotated.status == .ok && newSecret.hasPrefix("is_") && newSecret != app.identitySecret)

            #expect(try await identify("a", "alice", secret: app.identitySecret).status == .ok, "the old secret within its grace period")
            #expect(try await identify("b", "bob", secret: newSecret).status == .ok)
            clock.withLock { $0 = $0.addingTimeInterval(3601) }
            let late = try await identify("c", "carol", secret: app.identitySecret)
            #expect(late.status == .unauthorized && late.errorField == "userAuth", "the old secret after its grace period")
            #expect(try await identify("c", "carol", secret: newSecret).status == .ok)

            // Without a body, the default grace of a day; graceSeconds 0 ends the old secret at once (a leak).
            let defaulted = try await client.call(.post, "/v1/apps/\(app.id)/identity-secret/rotate", key: app.secret)
            let third = try #require(defaulted["identitySecret"]?.stringValue)
            clock.withLock { $0 = $0.addingTimeInterval(86_399) }
            #expect(try await identify("d", "dora", secret: newSecret).status == .ok)
            let leaked = try await client.call(.post, "/v1/apps/\(app.id)/identity-secret/rotate", key: app.secret, json: ["graceSeconds": 0])
            let fourth = try #require(leaked["identitySecret"]?.stringValue)
            for old in [newSecret, third] {
                #expect(try await identify("d", "dan", secret: old).status == .unauthorized)
            }
            #expect(try await identify("d", "dan", secret: fourth).status == .ok)
        }
    }

    @Test(arguments: TestBackend.allCases) func rotatedKeysWorkUntilTheirGracePeriodEnds(_ backend: TestBackend) async throws {
        let clock = Mutex(Date(timeIntervalSince1970: 1_900_000_000))
        var server = try await TestServer.on(backend)
        server.now = { clock.withLock { $0 } }
        try await server.run { client in
            let app = try await client.createApp()
            let other = try await client.createApp("Other")
            #expect(try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: app.publishable, json: [:]).status == .forbidden)
            #expect(try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: other.secret, json: [:]).status == .notFound)

            let rotated = try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: app.secret, json: ["graceSeconds": 60])
            let (pk, sk) = (try #require(rotated["publishableKey"]?.stringValue), try #require(rotated["secretKey"]?.stringValue))
            #expect(rotated.status == .ok && pk.hasPrefix("pk_") && sk.hasPrefix("sk_") && pk != app.publishable && sk != app.secret)

            for key in [app.secret, sk] {
                #expect(try await client.call(.get, "/v1/metrics/tokens", key: key).status == .ok)
            }
            for (seed, key) in [app.publishable, pk].enumerated() {
                let answer = try await client.call(.post, "/v1/tokens", key: key, json: [
                    "platform": "apns", "token": .string(Tokens.apns(40 + seed)), "installationId": .string("i\(seed)")])
                #expect(answer.status == .created, "\(answer.json)")
            }
            clock.withLock { $0 = $0.addingTimeInterval(61) }
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: app.secret).status == .unauthorized, "the old secret key after its grace")
            #expect(try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(Tokens.apns(50)), "installationId": "late"]).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: sk).status == .ok)
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: other.secret).status == .ok, "the other app's keys are untouched")

            // graceSeconds 0: the replaced keys stop at once, on this process too (no cached answer keeps them).
            let leaked = try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: sk, json: ["graceSeconds": 0])
            let newest = try #require(leaked["secretKey"]?.stringValue)
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: sk).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: newest).status == .ok)
            let admin = try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: TestServer.adminKey, json: ["graceSeconds": 0])
            #expect(admin.status == .ok, "the operator can rotate an app's keys too (a tenant who lost its secret key)")
        }
    }

    /// Each process caches the keys it has seen; a rotation made on another process over the same database reaches it
    /// within seconds (real clock: the cache's age bound is what is tested, so no frozen time).
    @Test(arguments: TestBackend.allCases) func aKeyRevokedOnOneProcessStopsWorkingOnAnotherWithinSeconds(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        let second = server
        try await server.run { first in
            let app = try await first.createApp()
            try await second.run { other in
                #expect(try await other.call(.get, "/v1/metrics/tokens", key: app.secret).status == .ok, "cached on the second process now")
                let rotated = try await first.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: app.secret, json: ["graceSeconds": 0])
                #expect(rotated.status == .ok)
                let deadline = ContinuousClock.now + .seconds(PrincipalCache.maximumAge + 10)
                var status = HTTPResponse.Status.ok
                while ContinuousClock.now < deadline {
                    status = try await other.call(.get, "/v1/metrics/tokens", key: app.secret).status
                    if status == .unauthorized { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(status == .unauthorized, "the second process refuses the revoked key")
                #expect(try await other.call(.get, "/v1/metrics/tokens", key: try #require(rotated["secretKey"]?.stringValue)).status == .ok)
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func newAppsAnswerTheirIdentitySecretOnce(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let created = try await client.call(.post, "/v1/apps", key: TestServer.adminKey, json: ["name": "Once"])
            let secret = try #require(created["identitySecret"]?.stringValue)
            #expect(created.status == .created && secret.hasPrefix("is_") && secret.count == 46 && created["identityVerification"] == "required")
            let id = try #require(created["id"]?.stringValue)
            let shown = try await client.call(.get, "/v1/apps/\(id)", key: TestServer.adminKey)
            #expect(shown.status == .ok && !shown.json.jsonText.contains(secret))
            #expect(try await server.store.identitySecrets(appId: id, now: Date()).map(\.value) == [secret])
        }
    }
}
