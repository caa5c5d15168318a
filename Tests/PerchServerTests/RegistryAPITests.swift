import Foundation
import HTTPTypes
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

@Suite("Identity, consent, users and events")
struct RegistryAPITests {
    @Test(arguments: TestBackend.allCases) func registerIdentifyConsentProfileWalkthrough(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let app = try await client.createApp()
            let token = Tokens.apns(3)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(token), "environment": "sandbox", "installationId": "iphone", "timezone": "America/New_York"])
            let identify = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "iphone", "userId": "alice",
                                                                                                        "userAuth": .string(app.userAuth(for: "alice"))])
            #expect(identify.status == .ok && identify["userId"] == "alice" && identify["previousUserId"] == nil)
            let moved = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "iphone", "userId": "bob",
                                                                                                     "userAuth": .string(app.userAuth(for: "bob"))])
            #expect(moved.status == .ok && moved["userId"] == "bob" && moved["previousUserId"] == nil,
                    "the publishable key is never told whom an installation belonged to")
            #expect(try await client.call(.get, "/v1/installations/iphone", key: app.secret)["userId"] == "bob", "the move is done")
            // An installation Perch does not know gets the same answer as a known one, and nothing is stored for it;
            // the secret key is told the truth.
            let unknown = try await client.call(.post, "/v1/identify", key: app.publishable, json: ["installationId": "ghost", "userId": "bob",
                                                                                                       "userAuth": .string(app.userAuth(for: "bob"))])
            #expect(unknown.status == .ok && unknown.json == ["installationId": "ghost", "userId": "bob"])
            #expect(try await client.call(.get, "/v1/installations/ghost", key: app.secret).status == .notFound)
            let unknownToSecret = try await client.call(.post, "/v1/identify", key: app.secret, json: ["installationId": "ghost", "userId": "bob"])
            #expect(unknownToSecret.status == .notFound && unknownToSecret.errorField == "installationId")

            var profile = try await client.call(.get, "/v1/users/bob", key: app.secret)
            guard case .object(let reach)? = profile["reachability"] else { Issue.record("no reachability"); return }
            #expect(reach["reachable"] == false, "no consent yet")

            let consent = try await client.call(.put, "/v1/installations/iphone/consent", key: app.publishable, json: ["status": "granted", "source": "onboarding"])
            #expect(consent.status == .ok)
            let badConsent = try await client.call(.put, "/v1/installations/iphone/consent", key: app.publishable, json: ["status": "yes"])
            #expect(badConsent.status == .badRequest && badConsent.errorField == "status")
            profile = try await client.call(.get, "/v1/users/bob", key: app.secret)
            guard case .array(let installations)? = profile["installations"], case .object(let installation)? = installations.first,
                  case .object(let reachability)? = profile["reachability"]
            else { Issue.record("profile shape \(profile.json)"); return }
            #expect(installation["environment"] == "sandbox" && installation["status"] == "active" && installation["reachable"] == true)
            #expect(reachability["reachable"] == true && reachability["reachableInstallations"] == 1)
            #expect(!profile.json.jsonText.contains(token), "the profile shows no raw token")

            let revoke = try await client.call(.put, "/v1/installations/iphone/consent", key: app.publishable, json: ["status": "revoked", "source": "settings"])
            #expect(revoke.status == .ok && revoke.json == ["installationId": "iphone", "consent": ["status": "revoked", "source": "settings"]])
            let revoked = try await client.call(.get, "/v1/installations/iphone", key: app.secret)
            #expect(revoked["status"] == "revoked" && revoked["reachable"] == false)
            guard case .array(let history)? = revoked["consentHistory"] else { Issue.record("no history"); return }
            #expect(history.count == 2)

            let logout = try await client.call(.post, "/v1/logout", key: app.publishable, json: ["installationId": "iphone"])
            #expect(logout.status == .ok && logout.json == ["installationId": "iphone", "userId": nil])
            #expect(try await client.call(.get, "/v1/installations/iphone", key: app.secret)["userId"] == nil, "the installation is anonymous again")
            let gone = try await client.call(.delete, "/v1/installations/iphone", key: app.publishable)
            #expect(gone.status == .ok && gone.json == ["installationId": "iphone", "status": "revoked"])
            // already revoked by the withdrawn consent: the token stays revoked with its first reason
            let after = try await client.call(.get, "/v1/installations/iphone", key: app.secret)
            #expect(after["status"] == "revoked" && after["statusReason"] == "consent_withdrawn")
            #expect(try await client.call(.delete, "/v1/installations/ghost", key: app.secret).status == .notFound)
        }
    }

    @Test(arguments: TestBackend.allCases) func usersExportAndErasure(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        try await server.run { client in
            let app = try await client.createApp()
            let token = Tokens.fcm(9)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving([
                "platform": "fcm", "token": .string(token), "installationId": "pixel", "userId": "carol", "consent": "granted"]))
            let put = try await client.call(.put, "/v1/users/carol", key: app.secret, json: ["attributes": ["plan": "pro", "seats": 3]])
            #expect(put.status == .ok && put["attributes"] == ["plan": "pro", "seats": 3])
            let badPut = try await client.call(.put, "/v1/users/carol", key: app.secret, json: ["attributes": [1, 2]])
            #expect(badPut.status == .badRequest && badPut.errorField == "attributes")
            _ = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [["type": "opened", "installationId": "pixel"]]])

            let export = try await client.call(.get, "/v1/users/carol/export", key: app.secret)
            #expect(export.status == .ok)
            guard case .array(let tokens)? = export["tokens"], case .object(let exported)? = tokens.first,
                  case .array(let events)? = export["events"] else { Issue.record("export shape"); return }
            #expect(exported["token"] == .string(token))
            #expect(events.count == 1)

            #expect(try await client.call(.delete, "/v1/users/carol", key: app.secret).status == .ok)
            #expect(try await client.call(.get, "/v1/users/carol", key: app.secret).status == .notFound)
            #expect(try await client.call(.delete, "/v1/users/carol", key: app.secret).status == .notFound)
            // The bytes at rest: SQLite's file (secure_delete). PostgreSQL's at-rest erasure is the store suite's subject.
            if backend == .sqlite {
                let raw = try Data(contentsOf: URL(fileURLWithPath: server.databasePath))
                #expect(raw.range(of: Data("carol".utf8)) == nil)
                #expect(raw.range(of: Data(token.utf8)) == nil)
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func eventsAreAnsweredPerItem(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(Tokens.apns(4)), "installationId": "ios", "consent": "granted"])
            let answer = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [
                ["type": "prompt_shown", "installationId": "ios", "properties": ["strategy": "soft-ask"]],
                ["type": "permission_granted", "installationId": "ios"],
                ["type": "opened", "installationId": "unknown-install"],
                ["type": "converted", "installationId": "ios", "value": 9.5, "currency": "eur"],
                ["type": "custom", "installationId": "ios", "name": "cart_abandoned"],
                ["type": 7, "installationId": "ios"],
            ]])
            // a wrongly typed item makes the whole body undecodable: a 400 naming it, nothing stored
            #expect(answer.status == .badRequest && answer.errorField == "events[5].type")
            let valid = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [
                ["type": "prompt_shown", "installationId": "ios", "properties": ["strategy": "soft-ask"]],
                ["type": "permission_granted", "installationId": "ios"],
                ["type": "opened", "installationId": "unknown-install"],
                ["type": "converted", "installationId": "ios", "value": 9.5, "currency": "eur"],
                ["type": "custom", "installationId": "ios", "name": "cart_abandoned"],
            ]])
            // With the publishable key, an unknown installation is answered like a known one (no enumeration oracle).
            #expect(valid.status == .ok && valid["stored"] == 4 && valid["rejected"] == 1)
            guard case .array(let results)? = valid["results"] else { Issue.record("no results"); return }
            let statuses = results.compactMap { item -> String? in
                if case .object(let object) = item { return object["status"]?.stringValue }
                return nil
            }
            #expect(statuses == ["stored", "stored", "stored", "rejected", "stored"])
            #expect(!valid.json.jsonText.contains("events[2].installationId") && valid.json.jsonText.contains("events[3].currency"))

            let tooMany = JSONValue.object(["events": .array(Array(repeating: ["type": "opened", "installationId": "ios"], count: 1001))])
            let big = try await client.call(.post, "/v1/events", key: app.publishable, json: tooMany)
            #expect(big.status == .badRequest && big.errorField == "events")

            let health = try await client.call(.get, "/v1/metrics/tokens", key: app.secret)
            #expect(health["optIn"] == ["prompted": 1, "granted": 1, "rate": 1])
        }
    }

    @Test(arguments: TestBackend.allCases) func tokenHealthFiltersAndValidatesThem(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "a", "appVersion": "1.0"])
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: ["platform": "fcm", "token": .string(Tokens.fcm(1)), "installationId": "b", "appVersion": "2.0"])
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: app.secret)["total"] == 2)
            #expect(try await client.call(.get, "/v1/metrics/tokens?platform=fcm", key: app.secret)["total"] == 1)
            #expect(try await client.call(.get, "/v1/metrics/tokens?appVersion=1.0", key: app.secret)["byPlatform"] == ["apns": ["active": 1]])
            let bad = try await client.call(.get, "/v1/metrics/tokens?platform=pager", key: app.secret)
            #expect(bad.status == .badRequest && bad.errorField == "platform")
        }
    }
}

@Suite("Unregister")
struct UnregisterAPITests {
    @Test(arguments: TestBackend.allCases) func unregisterRevokesTheToken(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(Tokens.apns(8)), "installationId": "ipad", "consent": "granted"])
            let gone = try await client.call(.delete, "/v1/installations/ipad", key: app.publishable)
            #expect(gone.status == .ok && gone.json == ["installationId": "ipad", "status": "revoked"])
            let stored = try await client.call(.get, "/v1/installations/ipad", key: app.secret)
            #expect(stored["status"] == "revoked" && stored["statusReason"] == "unregistered" && stored["reachable"] == false)
            // The same answer for an installation Perch never had: the publishable key learns nothing about which ids exist.
            let never = try await client.call(.delete, "/v1/installations/never-registered", key: app.publishable)
            #expect(never.status == .ok && never.json == ["installationId": "never-registered", "status": "revoked"])
            #expect(try await client.call(.delete, "/v1/installations/never-registered", key: app.secret).status == .notFound)
            let bad = try await client.call(.delete, "/v1/installations/bad%20id", key: app.publishable)
            #expect(bad.status == .badRequest && bad.errorField == "installationId")
        }
    }
}
