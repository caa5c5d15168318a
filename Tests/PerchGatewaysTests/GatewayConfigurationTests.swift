import Foundation
import Logging
import PerchCore
import PerchGateways
import Testing

@Suite("Gateway configuration")
struct GatewayConfigurationTests {
    @Test("allowed endpoint hosts match exactly or as a parent domain, never as a look-alike")
    func allowedHosts() {
        let configuration = WebPushConfiguration(
            subject: "mailto:ops@example.com", vapidPrivateKey: VAPIDKey.generate().privateKeyBase64URL,
            allowedEndpointHosts: ["fcm.googleapis.com", "*.push.services.mozilla.com"])
        #expect(configuration.allows(host: "fcm.googleapis.com"))
        #expect(configuration.allows(host: "FCM.googleapis.com"))
        #expect(configuration.allows(host: "updates.push.services.mozilla.com"))
        #expect(!configuration.allows(host: "evilfcm.googleapis.com"))
        #expect(!configuration.allows(host: "fcm.googleapis.com.attacker.net"))
        #expect(!configuration.allows(host: "127.0.0.1"))
    }

    @Test("APNs hosts follow the environment unless an endpoint overrides them")
    func apnsHosts() {
        var configuration = APNsConfiguration(teamId: "T", keyId: "K", privateKeyPEM: "", topic: "com.example.app")
        #expect(configuration.baseURL == "https://api.push.apple.com")
        configuration.environment = .sandbox
        #expect(configuration.baseURL == "https://api.sandbox.push.apple.com")
        configuration.endpoint = "https://127.0.0.1:8443/"
        #expect(configuration.baseURL == "https://127.0.0.1:8443")
    }

    @Test("unusable settings are refused when the gateway is built, naming the field and never the secret")
    func refusedSettings() async throws {
        try await PushGateways.withGateways(logger: Logger(label: "perch.test")) { gateways in
            #expect(throws: GatewayConfigurationError.invalidSubject) {
                try gateways.webPush(WebPushConfiguration(subject: "ops@example.com", vapidPrivateKey: VAPIDKey.generate().privateKeyBase64URL))
            }
            #expect(throws: GatewayConfigurationError.invalidPrivateKey("vapidPrivateKey")) {
                try gateways.webPush(WebPushConfiguration(subject: "mailto:ops@example.com", vapidPrivateKey: "c2VjcmV0"))
            }
            #expect(throws: GatewayConfigurationError.invalidCACertificate) {
                try gateways.webPush(WebPushConfiguration(
                    subject: "mailto:ops@example.com", vapidPrivateKey: VAPIDKey.generate().privateKeyBase64URL,
                    caCertificatePEM: "not a certificate"))
            }
            #expect(throws: GatewayConfigurationError.invalidEndpoint("endpoint")) {
                try gateways.fcm(FCMConfiguration(serviceAccountJSON: "{}", endpoint: "http://127.0.0.1:1"))
            }
            #expect(!"\(GatewayConfigurationError.invalidPrivateKey("vapidPrivateKey"))".contains("c2VjcmV0"))
        }
    }

    @Test("a destination of another platform is a message error, nothing is sent")
    func wrongPlatform() async throws {
        try await PushGateways.withGateways(logger: Logger(label: "perch.test")) { gateways in
            let webPush = try gateways.webPush(WebPushConfiguration(
                subject: "mailto:ops@example.com", vapidPrivateKey: VAPIDKey.generate().privateKeyBase64URL))
            let outcome = await webPush.send(PushMessage(title: "t", body: "b"), to: .fcm(token: "abc"))
            #expect(outcome.reason?.code == "WrongPlatform")
            guard case .messageError = outcome else {
                Issue.record("expected a message error, got \(outcome)")
                return
            }
        }
    }
}
