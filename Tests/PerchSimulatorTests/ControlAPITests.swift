import AsyncHTTPClient
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Crypto
import NIOSSL
import Foundation
import PerchCore
import Testing

@testable import PerchSimulator

@Suite("The /_sim control API over HTTP")
struct ControlAPITests {
    @Test("GET /_sim/counters answers each listener's platform counters as JSON")
    func counters() async throws {
        try await withSimulator { harness async throws in
            #expect(try await harness.apnsPush().status == 200)
            let apns = try await harness.request(.GET, harness.endpoints.apnsSandboxURL + "/_sim/counters")
            #expect(apns.status == 200)
            let decoded = try JSONDecoder().decode(SimulatorCounters.self, from: apns.body)
            #expect(decoded.accepted == 1)
            #expect(decoded.perToken[SimulatorHarness.deviceToken] == 1)

            let fcm = try await harness.request(.GET, harness.endpoints.fcmURL + "/_sim/counters")
            #expect(try JSONDecoder().decode(SimulatorCounters.self, from: fcm.body).accepted == 0)
            let viaQuery = try await harness.request(.GET, harness.endpoints.fcmURL + "/_sim/counters?platform=apns")
            #expect(try JSONDecoder().decode(SimulatorCounters.self, from: viaQuery.body).accepted == 1)
            let summary = try await harness.request(.GET, harness.endpoints.fcmURL + "/_sim/counters?platform=apns&perToken=false")
            let summed = try JSONDecoder().decode(SimulatorCounters.self, from: summary.body)
            #expect(summed.accepted == 1 && summed.perToken.isEmpty, "perToken=false keeps the totals and leaves out the map")
        }
    }

    @Test("POST /_sim/faults queues a fault for the next requests")
    func faults() async throws {
        try await withSimulator { harness async throws in
            let body = Data(#"{"platform":"apns","fault":"429=12","count":2}"#.utf8)
            #expect(try await harness.request(.POST, harness.endpoints.webPushURL + "/_sim/faults", body: body).status == 200)
            for _ in 0..<2 {
                let response = try await harness.apnsPush()
                #expect(response.status == 429)
                #expect(response.headers.first(name: "retry-after") == "12")
            }
            #expect(try await harness.apnsPush().status == 200)

            let reason = Data(#"{"fault":"400","reason":"DeviceTokenNotForTopic"}"#.utf8)
            #expect(try await harness.request(.POST, harness.endpoints.apnsURL + "/_sim/faults", body: reason).status == 200)
            #expect(try await harness.apnsPush().reason == "DeviceTokenNotForTopic")

            let bad = Data(#"{"fault":"sometimes"}"#.utf8)
            #expect(try await harness.request(.POST, harness.endpoints.apnsURL + "/_sim/faults", body: bad).status == 400)
        }
    }

    @Test("POST /_sim/subscriptions hands out a subscription that accepts encrypted pushes")
    func subscriptions() async throws {
        try await withSimulator { harness async throws in
            let vapidKey = P256.Signing.PrivateKey()
            let request = try JSONSerialization.data(withJSONObject: [
                "applicationServerKey": TestJWT.base64URL(vapidKey.publicKey.x963Representation)
            ])
            let response = try await harness.request(.POST, harness.endpoints.webPushURL + "/_sim/subscriptions", body: request)
            #expect(response.status == 201)
            let subscription = try JSONDecoder().decode(WebPushSubscriptionInfo.self, from: response.body)
            #expect(try await harness.webPush(subscription, plaintext: Data("hi".utf8), vapidKey: vapidKey).status == 201)
            #expect(try await harness.webPush(subscription, plaintext: Data("hi".utf8)).status == 403)

            let received = try await harness.request(.GET, harness.endpoints.webPushURL + "/_sim/received")
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let pushes = try decoder.decode([ReceivedPush].self, from: received.body)
            #expect(pushes.map(\.text) == ["hi"])
        }
    }

    @Test("POST /_sim/invalid and /_sim/apns-environment change how tokens are answered; /_sim/reset zeroes counters")
    func tokenControls() async throws {
        try await withSimulator { harness async throws in
            let invalid = Data(#"{"token":"\#(SimulatorHarness.deviceToken)"}"#.utf8)
            #expect(try await harness.request(.POST, harness.endpoints.apnsURL + "/_sim/invalid", body: invalid).status == 200)
            #expect(try await harness.apnsPush().status == 410)

            let token = String(repeating: "77", count: 32)
            let environment = Data(#"{"token":"\#(token)","environment":"sandbox"}"#.utf8)
            #expect(try await harness.request(.POST, harness.endpoints.apnsURL + "/_sim/apns-environment", body: environment).status == 200)
            #expect(try await harness.apnsPush(token: token).reason == "BadDeviceToken")

            #expect(try await harness.request(.POST, harness.endpoints.apnsURL + "/_sim/reset").status == 200)
            #expect(harness.simulator.counters(platform: .apns) == SimulatorCounters())
            #expect(try await harness.request(.GET, harness.endpoints.apnsURL + "/_sim/nothing").status == 404)
        }
    }

    @Test("the state directory receives ca.pem and a credentials.json with every platform's settings")
    func stateDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("perch-sim-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSimulator({ $0.stateDirectory = directory }) { harness async throws in
            let caPath = try #require(harness.endpoints.caCertificatePath)
            #expect(try String(contentsOfFile: caPath, encoding: .utf8) == harness.endpoints.caCertificatePEM)
            let credentialsPath = try #require(harness.endpoints.credentialsPath)
            let attributes = try FileManager.default.attributesOfItem(atPath: credentialsPath)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let json = try #require(
                JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: credentialsPath))) as? [String: Any])
            let apns = try #require(json["apns"] as? [String: Any])
            #expect(apns["privateKey"] as? String == harness.endpoints.apns.privateKeyPEM)
            #expect(apns["endpoint"] as? String == harness.endpoints.apnsURL)
            let fcm = try #require(json["fcm"] as? [String: Any])
            #expect((fcm["serviceAccount"] as? [String: Any])?["token_uri"] as? String == harness.endpoints.fcmURL + "/token")
            #expect((json["webpush"] as? [String: Any])?["url"] as? String == harness.endpoints.webPushURL)
        }
    }

    @Test("a non-loopback host is refused before anything listens")
    func loopbackOnly() async throws {
        var configuration = SimulatorConfiguration()
        configuration.host = "0.0.0.0"
        let simulator = PushSimulator(configuration: configuration)
        await #expect(throws: SimulatorError.notLoopback("0.0.0.0")) { try await simulator.start() }
        try await simulator.shutdown()
    }

    @Test("run() serves until graceful shutdown, then closes the listeners")
    func runsAsService() async throws {
        let simulator = PushSimulator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            // start() joins the start that run() began (or begins it): both see the same endpoints.
            let endpoints = try await simulator.start()
            #expect(simulator.endpoints?.apnsURL == endpoints.apnsURL)
            group.cancelAll()
            try await group.waitForAll()
        }
        await #expect(throws: SimulatorError.stopped) { try await simulator.start() }
    }

    @Test("in a ServiceGroup, graceful shutdown closes every listener")
    func gracefulShutdownClosesListeners() async throws {
        var configuration = SimulatorConfiguration()
        configuration.eventLoopThreads = 1
        let simulator = PushSimulator(configuration: configuration)
        let endpoints = try await simulator.start()
        let group = ServiceGroup(services: [simulator], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let address = try #require(URL(string: endpoints.fcmURL))
            #expect(try await Self.connects(host: address.host!, port: address.port!))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            for url in [endpoints.apnsURL, endpoints.apnsSandboxURL, endpoints.fcmURL, endpoints.webPushURL] {
                let address = try #require(URL(string: url))
                #expect(try await !Self.connects(host: address.host!, port: address.port!), "\(url)")
            }
        }
    }

    /// Whether a plain TCP connection to host:port succeeds.
    static func connects(host: String, port: Int) async throws -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port).get()
            try await channel.close()
            return true
        } catch {
            return false
        }
    }
}

@Suite("Protocol negotiation")
struct NegotiationTests {
    @Test("APNs refuses a client that cannot speak HTTP/2; FCM and Web Push also serve HTTP/1.1")
    func http1() async throws {
        try await withSimulator { harness async throws in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(harness.endpoints.caCertificatePEM.utf8), format: .pem)])
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = tls
            configuration.httpVersion = .http1Only
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let http1 = SimulatorHarness(simulator: harness.simulator, endpoints: harness.endpoints, client: client)
            do {
                await #expect(throws: (any Error).self) { try await http1.apnsPush() }
                let counters = try await http1.request(.GET, harness.endpoints.webPushURL + "/_sim/counters")
                #expect(counters.status == 200)
                #expect(counters.version == .http1_1)
                let subscription = harness.simulator.newWebPushSubscription()
                #expect(try await http1.webPush(subscription, plaintext: Data("over 1.1".utf8)).status == 201)
                #expect(try await http1.fcmSend(message: ["token": FCMSimulatorTests.registrationToken], accessToken: try await http1.fcmAccessToken()).status == 200)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
            #expect(harness.simulator.counters(platform: .apns).received == 0)
        }
    }
}
