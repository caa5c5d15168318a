import Foundation
import HTTPTypes
import Logging
import PerchTestSupport
import Testing
import PerchCore
import PerchGateways
import PerchSimulator
import PerchStore
@testable import PerchServer

/// `POST /v1/send` through the real gateways to the simulators over HTTP/2 + TLS on loopback, on SQLite and on PostgreSQL.
@Suite("POST /v1/send")
struct SendAPITests {
    /// A server on `backend` that sends (scheduler and delivery worker running) to the simulators, with one app.
    static func withSending(on backend: TestBackend = .sqlite, simulatorLatency: Duration = .zero,
                            _ body: @Sendable (TestServer.Client, PushSimulator, SimulatorEndpoints, TestServer.TestApp) async throws -> Void) async throws {
        try await withSendingStore(on: backend, simulatorLatency: simulatorLatency) { client, simulator, endpoints, app, _ in
            try await body(client, simulator, endpoints, app)
        }
    }

    /// The same, also handing over the server's store, for tests that read what it recorded.
    static func withSendingStore(on backend: TestBackend = .sqlite, simulatorLatency: Duration = .zero,
                                 _ body: @Sendable (TestServer.Client, PushSimulator, SimulatorEndpoints, TestServer.TestApp, any PerchStore) async throws -> Void)
        async throws {
        // The store first: when it cannot open (no PostgreSQL here), nothing has started that would need shutting down.
        var server = try await TestServer.on(backend)
        var configuration = SimulatorConfiguration()
        configuration.eventLoopThreads = 1
        configuration.latency = simulatorLatency
        let simulator = PushSimulator(configuration: configuration)
        let endpoints = try await simulator.start()
        let gateways = PushGateways(logger: Logger(label: "test.gateways"), connectTimeout: .seconds(60))
        server.gateways = server.gatewayDirectory(gateways)
        let store = server.store
        do {
            try await server.run { client in
                let app = try await client.createApp()
                try await body(client, simulator, endpoints, app, store)
            }
        } catch {
            try? await gateways.httpClient.shutdown()
            try? await simulator.shutdown()
            throw error
        }
        try await gateways.httpClient.shutdown()
        try await simulator.shutdown()
    }

    /// The APNs gateway settings pointing at the simulator (another key id makes the simulator refuse the provider token).
    static func apnsSettings(_ endpoints: SimulatorEndpoints, keyId: String? = nil, messagesPerSecond: Int? = nil) -> JSONValue {
        var settings: [String: JSONValue] = [
            "teamId": .string(endpoints.apns.teamId), "keyId": .string(keyId ?? endpoints.apns.keyId), "privateKey": .string(endpoints.apns.privateKeyPEM),
            "topic": .string(endpoints.apns.topic), "environment": "production", "endpoint": .string(endpoints.apnsURL),
            "caCertificate": .string(endpoints.caCertificatePEM),
        ]
        if let messagesPerSecond { settings["messagesPerSecond"] = .integer(messagesPerSecond) }
        return .object(settings)
    }

    static func connectAPNs(_ client: TestServer.Client, _ app: TestServer.TestApp, _ endpoints: SimulatorEndpoints, keyId: String? = nil,
                            messagesPerSecond: Int? = nil) async throws {
        let answer = try await client.call(.put, "/v1/apps/\(app.id)/gateways/apns", key: app.secret,
                                           json: apnsSettings(endpoints, keyId: keyId, messagesPerSecond: messagesPerSecond))
        #expect(answer.status == .ok, "\(answer.json)")
        #expect(!answer.json.jsonText.contains("PRIVATE KEY"), "the private key is never shown back")
    }

    static let message: JSONValue = ["title": "Flash sale", "body": "40% off until midnight", "data": ["campaign": "spring"]]

    func result(_ answer: Answer) -> [String: JSONValue]? {
        guard case .array(let results)? = answer["results"], case .object(let first)? = results.first else { return nil }
        return first
    }

    @Test(arguments: TestBackend.allCases) func aGrantedInstallationIsSentToAndAGoneTokenIsRetiredAtOnce(_ backend: TestBackend) async throws {
        try await Self.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAPNs(client, app, endpoints)
            let token = Tokens.apns(42)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(token), "environment": "production", "installationId": "iphone", "consent": "granted"])
            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "iphone"], "message": Self.message])
            #expect(sent.status == .ok, "\(sent.json)")
            #expect(result(sent)?["outcome"] == "accepted" && result(sent)?["gatewayMessageId"] != nil)
            #expect(simulator.counters(platform: .apns).accepted == 1)
            let delivered = simulator.received(platform: .apns).last?.text ?? ""
            #expect(delivered.contains("Flash sale"))
            let nowOrNever = try await client.call(.post, "/v1/send", key: app.secret,
                                                   json: ["to": ["installationId": "iphone"], "message": Self.message, "ttlSeconds": 0])
            #expect(result(nowOrNever)?["outcome"] == "accepted", "ttlSeconds 0 is now or never, not expired: \(nowOrNever.json)")

            simulator.markInvalid(platform: .apns, token: token)
            let gone = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "iphone"], "message": Self.message])
            #expect(result(gone)?["outcome"] == "retired")
            let installation = try await client.call(.get, "/v1/installations/iphone", key: app.secret)
            #expect(installation["status"] == "invalid" && installation["statusReason"] == "Unregistered")
            let again = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "iphone"], "message": Self.message])
            let suppressed = try #require(result(again))
            #expect(suppressed["outcome"] == "suppressed")
            #expect(suppressed["reason"] == ["code": "token_invalid", "detail": "the token is invalid"])
        }
    }

    @Test(arguments: TestBackend.allCases) func consentIsNeverBypassedAndAMixedUpEnvironmentRetiresNothing(_ backend: TestBackend) async throws {
        try await Self.withSending(on: backend) { client, simulator, endpoints, app in
            try await Self.connectAPNs(client, app, endpoints)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "no-consent", "consent": "denied"])
            let refused = try await client.call(.post, "/v1/send", key: app.secret, json: [
                "to": ["installationId": "no-consent"], "message": Self.message, "bypassCaps": true])
            #expect(result(refused)?["outcome"] == "suppressed")
            #expect(simulator.counters(platform: .apns).received == 0)

            // A sandbox token registered as such, sent over the production connection: BadDeviceToken, kept.
            let sandboxToken = Tokens.apns(2)
            simulator.setAPNsTokenEnvironment(sandboxToken, .sandbox)
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(sandboxToken), "environment": "sandbox", "installationId": "dev-phone", "consent": "granted"])
            let mixed = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "dev-phone"], "message": Self.message])
            #expect(result(mixed)?["outcome"] != "retired")
            let reason = try #require(result(mixed)?["reason"]?.objectValue)
            #expect(reason["code"] == "BadDeviceToken")
            #expect(try await client.call(.get, "/v1/installations/dev-phone", key: app.secret)["status"] == "active")
        }
    }

    @Test(arguments: TestBackend.allCases) func webPushIsEncryptedForTheSubscriptionAndDecryptedByTheSimulator(_ backend: TestBackend) async throws {
        try await Self.withSending(on: backend) { client, simulator, endpoints, app in
            let created = try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret, json: [
                "subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1"], "caCertificate": .string(endpoints.caCertificatePEM)])
            #expect(created.status == .ok)
            // The browser subscribes with the app's VAPID public key (applicationServerKey).
            let subscription = simulator.newWebPushSubscription(applicationServerKey: Base64URL.decode(app.vapidPublicKey))
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "webpush", "installationId": "browser", "consent": "granted",
                "subscription": ["endpoint": .string(subscription.endpoint), "keys": ["p256dh": .string(subscription.p256dh), "auth": .string(subscription.auth)]]])
            let sent = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "browser"], "message": Self.message])
            #expect(result(sent)?["outcome"] == "accepted", "\(sent.json)")
            let decrypted = simulator.received(platform: .webpush).last?.text ?? ""
            #expect(decrypted.contains("40% off until midnight"))
        }
    }

    @Test(arguments: TestBackend.allCases) func sendingWithoutCredentialsOrToNobodyIsAClearError(_ backend: TestBackend) async throws {
        try await Self.withSending(on: backend) { client, _, _, app in
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "fcm", "token": .string(Tokens.fcm(1)), "installationId": "pixel", "consent": "granted"])
            let unconfigured = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "pixel"], "message": Self.message])
            #expect(unconfigured.status == .conflict && unconfigured.errorCode == "gateway_not_configured")
            let nobody = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "ghost"], "message": Self.message])
            #expect(nobody.status == .notFound && nobody.errorField == "to.installationId")
            let noTitle = try await client.call(.post, "/v1/send", key: app.secret, json: ["to": ["installationId": "pixel"], "message": ["body": "x"]])
            #expect(noTitle.status == .badRequest && noTitle.errorField == "message.title")
            let publishable = try await client.call(.post, "/v1/send", key: app.publishable, json: ["to": ["installationId": "pixel"], "message": Self.message])
            #expect(publishable.status == .forbidden)
        }
    }
}
