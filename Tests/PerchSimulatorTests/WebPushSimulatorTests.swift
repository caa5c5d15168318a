import Crypto
import Foundation
import PerchCore
import Testing

@testable import PerchSimulator

@Suite("Web Push simulator: decryption and VAPID")
struct WebPushSimulatorTests {
    @Test("a subscription is a browser-shaped {endpoint, keys} on the Web Push listener")
    func subscriptionShape() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            #expect(subscription.endpoint.hasPrefix(harness.endpoints.webPushURL + "/push/"))
            #expect(TestJWT.base64URLDecode(subscription.p256dh)?.count == 65)
            #expect(TestJWT.base64URLDecode(subscription.auth)?.count == 16)
            let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(subscription)) as? [String: Any]
            #expect((json?["keys"] as? [String: String])?["p256dh"] == subscription.p256dh)
        }
    }

    @Test("an encrypted message with valid VAPID is 201 with Location, over HTTP/2, and decrypts to its plaintext")
    func accepted() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            let plaintext = Data(#"{"title":"Hello","body":"from Perch"}"#.utf8)
            let response = try await harness.webPush(
                subscription, plaintext: plaintext, headers: [("ttl", "60"), ("urgency", "high"), ("topic", "news_1")])
            #expect(response.version == .http2)
            #expect(response.status == 201)
            #expect(response.headers.first(name: "location")?.hasPrefix(harness.endpoints.webPushURL + "/message/") == true)

            let received = try #require(harness.simulator.received(platform: .webpush).first)
            #expect(received.token == subscription.endpoint)
            #expect(received.body == plaintext)
            #expect(received.headers["urgency"] == "high")
        }
    }

    @Test("a body that does not decrypt with the subscription's keys is 400")
    func undecryptable() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            let stranger = P256.KeyAgreement.PrivateKey()
            let body = try TestWebPushEncryptor.encrypt(
                Data("secret".utf8), p256dh: stranger.publicKey.x963Representation, auth: Data(count: 16))
            #expect(try await harness.webPush(subscription, plaintext: Data(), body: body).status == 400)
            #expect(try await harness.webPush(subscription, plaintext: Data(), body: Data(repeating: 1, count: 100)).status == 400)
            #expect(harness.simulator.counters(platform: .webpush).rejected == 2)
        }
    }

    @Test("a message without TTL is 400; a bad Urgency or Topic is 400; over 4096 bytes is 413")
    func headerRefusals() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            let text = Data("hi".utf8)
            #expect(try await harness.webPush(subscription, plaintext: text, headers: []).status == 400)
            #expect(try await harness.webPush(subscription, plaintext: text, headers: [("ttl", "soon")]).status == 400)
            #expect(try await harness.webPush(subscription, plaintext: text, headers: [("ttl", "0"), ("urgency", "urgent")]).status == 400)
            #expect(try await harness.webPush(subscription, plaintext: text, headers: [("ttl", "0"), ("topic", String(repeating: "t", count: 33))]).status == 400)
            let big = try TestWebPushEncryptor.encrypt(
                Data(repeating: 0x41, count: 4100), p256dh: TestJWT.base64URLDecode(subscription.p256dh)!,
                auth: TestJWT.base64URLDecode(subscription.auth)!)
            #expect(try await harness.webPush(subscription, plaintext: Data(), body: big).status == 413)
        }
    }

    @Test("VAPID: missing or not vapid is 401; bad signature, aud, exp, sub or key is 403")
    func vapidRefusals() async throws {
        try await withSimulator { harness async throws in
            let applicationServerKey = P256.Signing.PrivateKey()
            let subscription = harness.simulator.newWebPushSubscription(
                applicationServerKey: applicationServerKey.publicKey.x963Representation)
            let endpoint = subscription.endpoint
            let text = Data("hi".utf8)
            let now = Int(Date().timeIntervalSince1970)

            #expect(try await harness.webPush(subscription, plaintext: text, vapidKey: applicationServerKey, authorization: .some(nil)).status == 401)
            #expect(try await harness.webPush(subscription, plaintext: text, vapidKey: applicationServerKey, authorization: "Bearer abc").status == 401)

            let refusals: [String] = [
                try harness.vapid(for: endpoint, key: applicationServerKey, signer: P256.Signing.PrivateKey()),
                try harness.vapid(for: endpoint, key: applicationServerKey, claims: ["aud": "https://push.example.net"]),
                try harness.vapid(for: endpoint, key: applicationServerKey, claims: ["exp": now - 10]),
                try harness.vapid(for: endpoint, key: applicationServerKey, claims: ["exp": now + 25 * 3600]),
                try harness.vapid(for: endpoint, key: applicationServerKey, claims: ["sub": "ops@example.com"]),
                try harness.vapid(for: endpoint, key: P256.Signing.PrivateKey()),
            ]
            for authorization in refusals {
                let response = try await harness.webPush(subscription, plaintext: text, vapidKey: applicationServerKey, authorization: authorization)
                #expect(response.status == 403, "\(response.json ?? [:])")
            }
            #expect(try await harness.webPush(subscription, plaintext: text, vapidKey: applicationServerKey).status == 201)
            #expect(harness.simulator.counters(platform: .webpush).accepted == 1)
            #expect(harness.simulator.counters(platform: .webpush).authTokens == 1)
        }
    }

    @Test("an unknown subscription is 404; an invalidated one is 410")
    func goneSubscriptions() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            harness.simulator.markInvalid(platform: .webpush, token: subscription.endpoint)
            #expect(try await harness.webPush(subscription, plaintext: Data("x".utf8)).status == 410)

            let unknown = WebPushSubscriptionInfo(
                endpoint: harness.endpoints.webPushURL + "/push/nope", p256dh: subscription.p256dh, auth: subscription.auth)
            #expect(try await harness.webPush(unknown, plaintext: Data("x".utf8)).status == 404)
        }
    }
}
