import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchSimulator
import Synchronization

/// A wall clock the test moves by hand, shared by the gateways and the simulator.
final class TestClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date = Date()) { value = Mutex(start) }

    func now() -> Date { value.withLock { $0 } }

    func advance(minutes: Double) { value.withLock { $0 = $0.addingTimeInterval(minutes * 60) } }
}

/// Requests get a generous 30 s bound (debug builds, a full parallel test run on 2 shared cores); the stall tests
/// set their own short one.
///
/// One simulator (APNs production + sandbox, FCM, Web Push over HTTP/2 + TLS on loopback) and one `PushGateways`
/// service, both running for the duration of a test.
struct SimulatorHarness {
    let simulator: PushSimulator
    let endpoints: SimulatorEndpoints
    let gateways: PushGateways
    let clock: TestClock

    static func run(
        clock: TestClock = TestClock(),
        configure: (inout SimulatorConfiguration) -> Void = { _ in },
        _ body: (SimulatorHarness) async throws -> Void
    ) async throws {
        var configuration = SimulatorConfiguration()
        configuration.now = { clock.now() }
        configure(&configuration)
        let simulator = PushSimulator(configuration: configuration, logger: Logger(label: "perch.test.simulator"))
        let endpoints = try await simulator.start()
        let gateways = PushGateways(logger: Logger(label: "perch.test.gateways"), now: { clock.now() },
                                    connectTimeout: .seconds(60))  // the suite runs in parallel on two cores
        let harness = SimulatorHarness(simulator: simulator, endpoints: endpoints, gateways: gateways, clock: clock)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await gateways.run() }
                defer { group.cancelAll() }
                try await body(harness)
            }
        } catch {
            try? await simulator.shutdown()
            throw error
        }
        try await simulator.shutdown()
    }

    func apnsConfiguration(_ environment: APNsEnvironment = .production, timeout: Duration = .seconds(30)) -> APNsConfiguration {
        APNsConfiguration(
            teamId: endpoints.apns.teamId, keyId: endpoints.apns.keyId, privateKeyPEM: endpoints.apns.privateKeyPEM,
            topic: endpoints.apns.topic, environment: environment,
            endpoint: environment == .production ? endpoints.apnsURL : endpoints.apnsSandboxURL,
            caCertificatePEM: endpoints.caCertificatePEM, requestTimeout: timeout)
    }

    func apns(_ environment: APNsEnvironment = .production, timeout: Duration = .seconds(30)) throws -> APNsClient {
        try gateways.apns(apnsConfiguration(environment, timeout: timeout))
    }

    func fcmConfiguration(serviceAccountJSON: String? = nil, timeout: Duration = .seconds(30)) -> FCMConfiguration {
        FCMConfiguration(
            serviceAccountJSON: serviceAccountJSON ?? endpoints.fcmServiceAccountJSON, endpoint: endpoints.fcmURL,
            caCertificatePEM: endpoints.caCertificatePEM, requestTimeout: timeout)
    }

    func fcm(timeout: Duration = .seconds(30)) throws -> FCMClient {
        try gateways.fcm(fcmConfiguration(timeout: timeout))
    }

    func webPush(
        key: VAPIDKey, allowedHosts: [String] = ["127.0.0.1"], timeout: Duration = .seconds(30),
        endpointCheck: @escaping WebPushClient.EndpointCheck = { _ in .connect }
    ) throws -> WebPushClient {
        try gateways.webPush(
            WebPushConfiguration(
                subject: "mailto:ops@perch.test", vapidPrivateKey: key.privateKeyBase64URL, allowedEndpointHosts: allowedHosts,
                caCertificatePEM: endpoints.caCertificatePEM, requestTimeout: timeout),
            endpointCheck: endpointCheck)
    }

    /// A Web Push subscription in the simulator bound to `key`, as a destination.
    func subscription(for key: VAPIDKey) -> PushDestination {
        let info = simulator.newWebPushSubscription(applicationServerKey: Data(base64URL: key.publicKeyBase64URL))
        return .webPush(endpoint: info.endpoint, p256dh: info.p256dh, auth: info.auth)!
    }
}

/// A fresh APNs device token (64 hex digits).
func apnsToken() -> String {
    (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
}

/// A fresh FCM registration token.
func fcmToken() -> String {
    "fcm-" + UUID().uuidString.replacingOccurrences(of: "-", with: "") + ":APA91b" + String(Int.random(in: 1000...9999))
}

let sale = PushMessage(title: "Sale", body: "50% off today", data: ["orderId": 42], url: "https://shop.example/sale", badge: 1)

extension Data {
    init(base64URL text: String) { self.init(b64url: text) }
}

import Crypto

enum P256TestKey {
    /// A P-256 key the simulator does not know.
    static func pem() -> String { P256.Signing.PrivateKey().pemRepresentation }
}
