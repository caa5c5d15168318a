import Foundation
import PerchCore
import Testing
import _CryptoExtras

@testable import PerchSimulator

@Suite("FCM simulator: OAuth token endpoint and HTTP v1 messages:send")
struct FCMSimulatorTests {
    static let registrationToken = "fcm-token:APA91bHsimulated_registration-token-0001"

    @Test("the service account is a Google service-account JSON whose token_uri is the simulator")
    func serviceAccountShape() async throws {
        try await withSimulator { harness async throws in
            let account = harness.serviceAccount
            #expect(account["type"] == "service_account")
            #expect(account["project_id"] == harness.endpoints.fcmProjectId)
            #expect(account["token_uri"] == harness.endpoints.fcmURL + "/token")
            #expect(account["private_key"]?.hasPrefix("-----BEGIN PRIVATE KEY-----") == true)
            #expect(account["client_email"]?.hasSuffix(".iam.gserviceaccount.com") == true)
            #expect(account["private_key_id"]?.isEmpty == false)
        }
    }

    @Test("a signed assertion is exchanged for a bearer access token valid 3600 s, over HTTP/2")
    func oauthExchange() async throws {
        try await withSimulator { harness async throws in
            let response = try await harness.exchange(assertion: try harness.assertion())
            #expect(response.version == .http2)
            #expect(response.status == 200)
            #expect(response.json?["token_type"] as? String == "Bearer")
            #expect(response.json?["expires_in"] as? Int == 3600)
            #expect((response.json?["access_token"] as? String)?.isEmpty == false)
            #expect(harness.simulator.counters(platform: .fcm).authTokens == 1)
            #expect(harness.simulator.counters(platform: .fcm).received == 0)
        }
    }

    @Test("assertions with a foreign key, wrong aud, scope, issuer, kid or lifetime are refused")
    func oauthRefusals() async throws {
        try await withSimulator { harness async throws in
            let now = Int(Date().timeIntervalSince1970)
            let foreign = try await harness.exchange(assertion: try harness.assertion(key: _RSA.Signing.PrivateKey(keySize: .bits2048)))
            #expect(foreign.status == 400)
            #expect(foreign.json?["error"] as? String == "invalid_grant")

            let cases: [([String: Any], String)] = [
                (["aud": "https://oauth2.googleapis.com/token"], "invalid_grant"),
                (["scope": "https://www.googleapis.com/auth/userinfo.email"], "invalid_scope"),
                (["iss": "someone@else.iam.gserviceaccount.com"], "invalid_grant"),
                (["exp": now + 7200], "invalid_grant"),
                (["iat": now - 7200, "exp": now - 3600], "invalid_grant"),
            ]
            for (claims, error) in cases {
                let response = try await harness.exchange(assertion: try harness.assertion(claims: claims))
                #expect(response.status == 400, "\(claims)")
                #expect(response.json?["error"] as? String == error, "\(claims)")
            }
            let wrongKid = try await harness.exchange(assertion: try harness.assertion(kid: "0123456789"))
            #expect(wrongKid.json?["error"] as? String == "invalid_grant")

            let wrongGrant = try await harness.exchange(assertion: try harness.assertion(), grantType: "client_credentials")
            #expect(wrongGrant.json?["error"] as? String == "unsupported_grant_type")
            #expect(harness.simulator.counters(platform: .fcm).authTokens == 0)
        }
    }

    @Test("messages:send with a valid access token answers 200 with the message name and records the message")
    func sendAccepted() async throws {
        try await withSimulator { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            let response = try await harness.fcmSend(
                message: [
                    "token": Self.registrationToken,
                    "notification": ["title": "Hi", "body": "there"],
                    "data": ["campaign": "c1", "n": "1"],
                    "android": ["priority": "high"],
                ],
                accessToken: accessToken)
            #expect(response.version == .http2)
            #expect(response.status == 200)
            let name = try #require(response.json?["name"] as? String)
            #expect(name.hasPrefix("projects/\(harness.endpoints.fcmProjectId)/messages/"))

            let received = try #require(harness.simulator.received(platform: .fcm).first)
            #expect(received.token == Self.registrationToken)
            #expect((received.jsonObject?["data"] as? [String: String])?["campaign"] == "c1")
        }
    }

    @Test("an unknown or missing bearer is 401 UNAUTHENTICATED; another project is 403 PERMISSION_DENIED")
    func sendAuthRefusals() async throws {
        try await withSimulator { harness async throws in
            let unknown = try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: "ya29.forged")
            #expect(unknown.status == 401)
            #expect(unknown.fcmStatus == "UNAUTHENTICATED")

            let accessToken = try await harness.fcmAccessToken()
            let otherProject = try await harness.fcmSend(
                message: ["token": Self.registrationToken], accessToken: accessToken, project: "someone-elses")
            #expect(otherProject.status == 403)
            #expect(otherProject.fcmStatus == "PERMISSION_DENIED")
        }
    }

    @Test("an access token stops working after its expires_in")
    func accessTokenExpires() async throws {
        let clock = TestWallClock()
        try await withSimulator({ $0.now = { clock.now } }) { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            #expect(try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: accessToken).status == 200)
            clock.advance(by: 3601)
            #expect(try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: accessToken).status == 401)
        }
    }

    @Test(
        "malformed messages are 400 INVALID_ARGUMENT with FCM's error shape",
        arguments: [
            ["data": ["k": "v"]],
            ["token": FCMSimulatorTests.registrationToken, "data": ["count": 3]],
            ["token": FCMSimulatorTests.registrationToken, "data": ["nested": ["a": "b"]]],
            ["token": FCMSimulatorTests.registrationToken, "bogus": true],
            ["token": FCMSimulatorTests.registrationToken, "notification": ["title": 5]],
            ["token": "has spaces in it"],
            ["token": ""],
        ] as [[String: any Sendable]])
    func invalidArgument(message: [String: any Sendable]) async throws {
        try await withSimulator { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            let response = try await harness.fcmSend(message: message, accessToken: accessToken)
            #expect(response.status == 400)
            #expect(response.fcmStatus == "INVALID_ARGUMENT")
            #expect(response.fcmErrorCode == "INVALID_ARGUMENT")
            let details = (response.json?["error"] as? [String: Any])?["details"] as? [[String: Any]]
            #expect(details?.first?["@type"] as? String == "type.googleapis.com/google.firebase.fcm.v1.FcmError")
            #expect(harness.simulator.counters(platform: .fcm).accepted == 0)
        }
    }

    @Test("an invalid registration token is 404 NOT_FOUND with errorCode UNREGISTERED")
    func unregistered() async throws {
        try await withSimulator { harness async throws in
            harness.simulator.markInvalid(platform: .fcm, token: Self.registrationToken)
            let accessToken = try await harness.fcmAccessToken()
            let response = try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: accessToken)
            #expect(response.status == 404)
            #expect(response.fcmStatus == "NOT_FOUND")
            #expect(response.fcmErrorCode == "UNREGISTERED")
        }
    }

    @Test("an injected fault carries FCM's status name and the errorCode given as reason")
    func injectedErrorShapes() async throws {
        try await withSimulator { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            harness.simulator.inject(.status(403, reason: "SENDER_ID_MISMATCH", retryAfter: nil), platform: .fcm)
            let mismatch = try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: accessToken)
            #expect(mismatch.status == 403)
            #expect(mismatch.fcmStatus == "PERMISSION_DENIED")
            #expect(mismatch.fcmErrorCode == "SENDER_ID_MISMATCH")

            harness.simulator.inject(.tooManyRequests(retryAfter: 60), platform: .fcm)
            let quota = try await harness.fcmSend(message: ["token": Self.registrationToken], accessToken: accessToken)
            #expect(quota.status == 429)
            #expect(quota.fcmStatus == "RESOURCE_EXHAUSTED")
            #expect(quota.fcmErrorCode == "QUOTA_EXCEEDED")
            #expect(quota.headers.first(name: "retry-after") == "60")
        }
    }

    static let liveActivityToken = "80a1" + String(repeating: "c3", count: 30)

    static func liveActivity(_ apns: [String: Any]) -> [String: Any] {
        ["token": registrationToken, "apns": apns]
    }

    static var start: [String: Any] {[
        "live_activity_token": liveActivityToken, "headers": ["apns-push-type": "liveactivity", "apns-priority": "10"],
        "payload": ["aps": ["event": "start", "timestamp": 1_800_000_000, "content-state": ["eta": 12],
                            "attributes-type": "DeliveryAttributes", "attributes": ["order": "A-1"]]],
    ]}

    @Test("a Live Activity start with apns.live_activity_token is accepted and recorded for the registration token")
    func liveActivityAccepted() async throws {
        try await withSimulator { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            let response = try await harness.fcmSend(message: Self.liveActivity(Self.start), accessToken: accessToken)
            #expect(response.status == 200)
            let received = try #require(harness.simulator.received(platform: .fcm).first)
            #expect(received.token == Self.registrationToken)
            #expect((received.jsonObject?["apns"] as? [String: Any])?["live_activity_token"] as? String == Self.liveActivityToken)
        }
    }

    @Test("Live Activity messages that break FCM's rules are 400 INVALID_ARGUMENT")
    func liveActivityRefusals() async throws {
        func changed(_ edit: (inout [String: Any]) -> Void) -> [String: Any] {
            var apns = Self.start
            edit(&apns)
            return apns
        }
        func aps(_ edit: @escaping (inout [String: Any]) -> Void) -> [String: Any] {
            changed { apns in
                var aps = (apns["payload"] as! [String: Any])["aps"] as! [String: Any]
                edit(&aps)
                apns["payload"] = ["aps": aps]
            }
        }
        let cases: [(String, [String: Any])] = [
            ("a liveactivity push without a Live Activity token", changed { $0["live_activity_token"] = nil }),
            ("a Live Activity token that is not an APNs token", changed { $0["live_activity_token"] = "not-a-token" }),
            ("a Live Activity token with another push type", changed { $0["headers"] = ["apns-push-type": "alert"] }),
            ("a priority other than 5 or 10", changed { $0["headers"] = ["apns-push-type": "liveactivity", "apns-priority": "1"] }),
            ("no payload", changed { $0["payload"] = nil }),
            ("no event", aps { $0["event"] = nil }),
            ("no timestamp", aps { $0["timestamp"] = nil }),
            ("no content-state", aps { $0["content-state"] = nil }),
            ("a start without attributes-type", aps { $0["attributes-type"] = nil }),
        ]
        try await withSimulator { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            for (what, apns) in cases {
                let response = try await harness.fcmSend(message: Self.liveActivity(apns), accessToken: accessToken)
                #expect(response.status == 400, "\(what)")
                #expect(response.fcmErrorCode == "INVALID_ARGUMENT", "\(what)")
            }
            #expect(harness.simulator.received(platform: .fcm).isEmpty)
            let update = aps { $0["event"] = "update"; $0["attributes-type"] = nil; $0["attributes"] = nil }
            #expect(try await harness.fcmSend(message: Self.liveActivity(update), accessToken: accessToken).status == 200,
                    "an update needs no attributes")
        }
    }
}
