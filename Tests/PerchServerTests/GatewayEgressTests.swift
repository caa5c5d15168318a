import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import PerchTestSupport
import Testing
import PerchCore
import PerchGateways
import PerchStore
@testable import PerchServer
@testable import PerchDelivery

/// A resolver the test scripts: each host answers its list of answers in turn (the last one repeats), and every
/// question is counted. `stall` never answers.
final class ScriptedResolver: EndpointResolver {
    private let answers: Mutex<[String: [[String]]]>
    private let asked = Mutex<[String]>([])
    let stall: Bool

    init(_ answers: [String: [[String]]] = [:], stall: Bool = false) {
        self.answers = Mutex(answers)
        self.stall = stall
    }

    var questions: [String] { asked.withLock { $0 } }

    func addresses(of host: String) async throws -> [IPAddress] {
        asked.withLock { $0.append(host) }
        if stall {
            // A resolver that never answers (a dead DNS server): only the caller's timeout ends the wait.
            try await Task.sleep(for: .seconds(3600))
        }
        return answers.withLock { answers in
            guard var list = answers[host], let first = list.first else { return [] }
            if list.count > 1 { list.removeFirst(); answers[host] = list }
            return first.compactMap(IPAddress.init)
        }
    }
}

/// A clock for the resolver's cache that the test moves by hand.
final class ManualUptime: Sendable {
    private let offset = Mutex<Duration>(.zero)
    let start = ContinuousClock.now
    func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }
    func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
}

/// Points 2 and 3 of issue 12: the operator, not a tenant, decides where gateway traffic may go.
@Suite("Where gateway traffic may go")
struct GatewayEgressTests {
    static let apnsKey = P256.Signing.PrivateKey().pemRepresentation
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static let rsaKey = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"

    static func apns(_ extra: [String: JSONValue] = [:]) -> JSONValue {
        .object(["teamId": "ABCDE12345", "keyId": "KEY1234567", "privateKey": .string(apnsKey), "topic": "com.example.app",
                 "environment": "production"].merging(extra) { _, new in new })
    }

    static func fcm(tokenURI: String = "https://oauth2.googleapis.com/token", _ extra: [String: JSONValue] = [:]) -> JSONValue {
        .object(["serviceAccount": ["project_id": "demo", "client_email": "perch@demo.iam.gserviceaccount.com", "private_key": .string(rsaKey),
                                    "token_uri": .string(tokenURI)]].merging(extra) { _, new in new })
    }

    @Test(arguments: TestBackend.allCases) func gatewayOverridesNameTheRealServiceOrAnOperatorHost(_ backend: TestBackend) async throws {
        var server = try await TestServer.on(backend)
        server.allowedGatewayHosts = try GatewayHostAllowList(parsing: "127.0.0.1:9443")
        try await server.run { client in
            let app = try await client.createApp()
            func put(_ platform: String, _ body: JSONValue) async throws -> Answer {
                try await client.call(.put, "/v1/apps/\(app.id)/gateways/\(platform)", key: app.secret, json: body)
            }
            let ca: JSONValue = .string(Self.certificate)
            let accepted: [(String, JSONValue)] = [
                ("apns", Self.apns()), ("apns", Self.apns(["endpoint": "https://api.push.apple.com:2197"])),
                ("apns", Self.apns(["endpoint": "https://api.sandbox.push.apple.com"])),
                ("apns", Self.apns(["endpoint": "https://127.0.0.1:9443", "caCertificate": ca])),
                ("fcm", Self.fcm()), ("fcm", Self.fcm(["endpoint": "https://fcm.googleapis.com"])),
                ("fcm", Self.fcm(tokenURI: "https://127.0.0.1:9443/token", ["endpoint": "https://127.0.0.1:9443", "caCertificate": ca])),
                ("webpush", ["subject": "mailto:ops@example.com"]),
                ("webpush", ["subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1"], "caCertificate": ca]),
            ]
            for (platform, body) in accepted {
                let answer = try await put(platform, body)
                #expect(answer.status == .ok, "\(platform) \(body.jsonText): \(answer.json)")
            }
            let refused: [(String, JSONValue, String)] = [
                ("apns", Self.apns(["endpoint": "https://10.0.0.1"]), "endpoint"),
                ("apns", Self.apns(["endpoint": "https://169.254.169.254/latest/meta-data"]), "endpoint"),
                ("apns", Self.apns(["endpoint": "https://127.0.0.1:9444"]), "endpoint"),
                ("apns", Self.apns(["endpoint": "https://api.push.apple.com:8443"]), "endpoint"),
                ("apns", Self.apns(["endpoint": "https://attacker.example"]), "endpoint"),
                ("apns", Self.apns(["caCertificate": ca]), "caCertificate"),
                ("apns", Self.apns(["endpoint": "https://api.push.apple.com", "caCertificate": ca]), "caCertificate"),
                ("fcm", Self.fcm(tokenURI: "https://169.254.169.254/token"), "serviceAccount.token_uri"),
                ("fcm", Self.fcm(tokenURI: "https://127.0.0.1:22/token"), "serviceAccount.token_uri"),
                ("fcm", Self.fcm(["endpoint": "https://attacker.example"]), "endpoint"),
                ("fcm", Self.fcm(["endpoint": "https://127.0.0.1:9443", "caCertificate": ca]), "caCertificate"),
                ("webpush", ["subject": "mailto:ops@example.com", "caCertificate": ca], "caCertificate"),
                ("webpush", ["subject": "mailto:ops@example.com", "allowedEndpointHosts": ["127.0.0.1", "fcm.googleapis.com"], "caCertificate": ca],
                 "caCertificate"),
            ]
            for (platform, body, field) in refused {
                let answer = try await put(platform, body)
                #expect(answer.status == .badRequest && answer.errorCode == "forbidden_endpoint", "\(platform) \(body.jsonText): \(answer.json)")
                #expect(answer.errorField == field, "\(platform) \(body.jsonText)")
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func settingsStoredUnderAWiderListStopWorkingWhenTheListNarrows(_ backend: TestBackend) async throws {
        let server = try await TestServer.on(backend)
        let app = try await server.store.createApp(name: "narrowed", bundleId: nil, webOrigin: nil, now: Date())
        let body: [String: JSONValue] = ["teamId": "ABCDE12345", "keyId": "KEY1234567", "privateKey": .string(Self.apnsKey),
                                         "topic": "com.example.app", "endpoint": "https://127.0.0.1:9443"]
        let wide = TestServer.loopbackGatewayHosts
        try await server.store.setGateway(appId: app.app.id, settings: try GatewaySettingsRules.validate(
            platform: .apns, body: body, now: Date(), allowedHosts: wide))
        try await PushGateways.withGateways(logger: Logger(label: "test")) { gateways in
            _ = try await GatewayDirectory(store: server.store, gateways: gateways, allowedHosts: wide).route(appId: app.app.id, platform: .apns)
            let narrowed = GatewayDirectory(store: server.store, gateways: gateways, allowedHosts: .none)
            do {
                _ = try await narrowed.route(appId: app.app.id, platform: .apns)
                Issue.record("settings pointing at 127.0.0.1 were used without the operator allowing it")
            } catch let error as PerchError {
                #expect(error.code == .gatewayNotConfigured)
                #expect(error.message.contains("operator"))
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func webPushEndpointsAreCheckedAtRegistrationWithoutDNS(_ backend: TestBackend) async throws {
        var server = try await TestServer.on(backend)
        server.allowedGatewayHosts = .none
        let resolver = ScriptedResolver(stall: true)
        let gateways = PushGateways(logger: Logger(label: "test"))
        server.gateways = server.gatewayDirectory(gateways, resolver: CachingEndpointResolver(resolver: resolver))
        do {
            try await Self.registrations(server: server, resolver: resolver)
        } catch {
            try? await gateways.httpClient.shutdown()
            throw error
        }
        try await gateways.httpClient.shutdown()
    }

    static func registrations(server: TestServer, resolver: ScriptedResolver) async throws {
        try await server.run { client in
            let app = try await client.createApp()
            func register(_ endpoint: String, _ installation: String, key: String? = nil) async throws -> Answer {
                try await client.call(.post, "/v1/tokens", key: key ?? app.publishable, json: [
                    "platform": "webpush", "installationId": .string(installation), "subscription": Tokens.subscription(endpoint: endpoint)])
            }
            for (index, endpoint) in ["https://fcm.googleapis.com/fcm/send/abc:APA91b", "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
                                      "https://web.push.apple.com/QGkWmA", "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA"].enumerated() {
                let answer = try await register(endpoint, "ok-\(index)")
                #expect(answer.status == .created, "\(endpoint): \(answer.json)")
            }
            for (index, endpoint) in ["https://127.0.0.1/push", "https://[::1]:8443/push", "https://localhost/push", "https://push.example.com/push",
                                      "https://169.254.169.254/x", "https://fcm.googleapis.com:8443/x", "https://printer.local/x"].enumerated() {
                let answer = try await register(endpoint, "refused-\(index)")
                #expect(answer.status == .badRequest && answer.errorCode == "forbidden_endpoint", "\(endpoint) \(answer.json)")
                #expect(answer.errorField == "subscription.endpoint")
                // The secret key is held to the same rule: it is still a tenant's.
                #expect(try await register(endpoint, "refused-secret-\(index)", key: app.secret).status == .badRequest)
            }
            // The app narrows to Mozilla: FCM is refused for it from now on.
            let narrowed = try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret, json: [
                "subject": "mailto:ops@example.com", "allowedEndpointHosts": ["*.push.services.mozilla.com"]])
            #expect(narrowed.status == .ok)
            #expect(try await register("https://fcm.googleapis.com/fcm/send/x", "narrowed-fcm").errorField == "subscription.endpoint")
            #expect(try await register("https://updates.push.services.mozilla.com/wpush/v2/y", "narrowed-moz").status == .created)
            // No registration asked DNS anything (the resolver would have stalled them).
            #expect(resolver.questions.isEmpty)
        }
    }

    @Test(arguments: TestBackend.allCases) func theOperatorsHostsExtendTheListAndAnAppCanOnlyNarrowThem(_ backend: TestBackend) async throws {
        var server = try await TestServer.on(backend)
        server.allowedGatewayHosts = try GatewayHostAllowList(parsing: "127.0.0.1:9443")
        try await server.run { client in
            let app = try await client.createApp()
            func register(_ endpoint: String, _ installation: String) async throws -> Answer {
                try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                    "platform": "webpush", "installationId": .string(installation), "subscription": Tokens.subscription(endpoint: endpoint)])
            }
            #expect(try await register("https://127.0.0.1:9443/push/1", "local").status == .created)
            #expect(try await register("https://127.0.0.1:9444/push/1", "other-port").errorField == "subscription.endpoint")
            // Listing a host the operator does not allow widens nothing.
            let widening = try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret, json: [
                "subject": "mailto:ops@example.com", "allowedEndpointHosts": ["10.0.0.5", "127.0.0.1"]])
            #expect(widening.status == .ok)
            #expect(try await register("https://10.0.0.5/push", "widened").errorField == "subscription.endpoint")
            #expect(try await register("https://fcm.googleapis.com/fcm/send/x", "narrowed-out").errorField == "subscription.endpoint")
            #expect(try await register("https://127.0.0.1:9443/push/2", "still-local").status == .created)
        }
    }

    @Test func aRebindingResolverCannotRedirectASend() async {
        // Public when checked, loopback when asked again: the classic DNS rebinding answer.
        let host = "updates.push.services.mozilla.com"
        let resolver = ScriptedResolver([host: [["93.184.216.34"], ["127.0.0.1"]]])
        let uptime = ManualUptime()
        let caching = CachingEndpointResolver(resolver: resolver, timeout: .seconds(30), ttl: .seconds(60), now: { uptime.now() })
        let guarded = WebPushEndpointGuard(policy: EndpointPolicy(operatorHosts: TestServer.loopbackGatewayHosts), resolver: caching)
        let endpoint = URL(string: "https://\(host)/wpush/v2/gAAAA")!

        #expect(await guarded.clearance(for: endpoint) == .connectPinned(address: "93.184.216.34"))
        // The send connects to the address checked; nothing resolves the name again while the answer is fresh.
        uptime.advance(.seconds(59))
        #expect(await guarded.clearance(for: endpoint) == .connectPinned(address: "93.184.216.34"))
        #expect(resolver.questions == [host])
        // Once it expires the name is resolved again, and the loopback answer is refused, never connected to.
        uptime.advance(.seconds(2))
        guard case .refused(let detail) = await guarded.clearance(for: endpoint) else {
            Issue.record("a loopback answer was not refused")
            return
        }
        #expect(detail.contains("loopback"))
        #expect(resolver.questions == [host, host])
        // An operator host is not resolved at all.
        #expect(await guarded.clearance(for: URL(string: "https://127.0.0.1:9443/push")!) == .connect)
        #expect(resolver.questions.count == 2)
    }

    @Test func everyAddressMustBePublicAndIPv4IsPreferred() async {
        let resolver = ScriptedResolver([
            "fcm.googleapis.com": [["2a00:1450:4001:82a::200a", "142.250.185.74"]],
            "web.push.apple.com": [["17.188.166.12", "10.0.0.5"]],
            "wns2-par02p.notify.windows.com": [["::ffff:169.254.169.254"]],
        ])
        let guarded = WebPushEndpointGuard(policy: EndpointPolicy(), resolver: CachingEndpointResolver(resolver: resolver))
        #expect(await guarded.clearance(for: URL(string: "https://fcm.googleapis.com/fcm/send/x")!) == .connectPinned(address: "142.250.185.74"))
        guard case .refused = await guarded.clearance(for: URL(string: "https://web.push.apple.com/x")!) else {
            Issue.record("a private address among public ones was not refused")
            return
        }
        guard case .refused = await guarded.clearance(for: URL(string: "https://wns2-par02p.notify.windows.com/w/?token=x")!) else {
            Issue.record("an IPv4-mapped metadata address was not refused")
            return
        }
        // Registered under a wider policy, refused at send time once the host is no longer allowed.
        guard case .refused = await guarded.clearance(for: URL(string: "https://127.0.0.1:9443/push")!) else {
            Issue.record("an endpoint outside the policy was cleared")
            return
        }
    }

    @Test func aResolverThatNeverAnswersIsARetryNotAStall() async {
        let resolver = ScriptedResolver(stall: true)
        let uptime = ManualUptime()
        let caching = CachingEndpointResolver(resolver: resolver, timeout: .milliseconds(200), failureTTL: .seconds(5), now: { uptime.now() })
        let guarded = WebPushEndpointGuard(policy: EndpointPolicy(), resolver: caching)
        let endpoint = URL(string: "https://fcm.googleapis.com/fcm/send/x")!
        #expect(await guarded.clearance(for: endpoint) == .unresolved(detail: "DNS lookup timed out"))
        // The next sends do not each wait on the same dead resolver: the failure is remembered briefly.
        #expect(await guarded.clearance(for: endpoint) == .unresolved(detail: "DNS lookup timed out"))
        #expect(resolver.questions.count == 1)
        uptime.advance(.seconds(6))
        #expect(await guarded.clearance(for: endpoint) == .unresolved(detail: "DNS lookup timed out"))
        #expect(resolver.questions.count == 1, "the stalled query is still pending: it is waited on again, not repeated")
    }

    @Test(arguments: TestBackend.allCases) func aSendToARefusedOrUnresolvableEndpointIsAnOutcome(_ backend: TestBackend) async throws {
        for (resolver, expected) in [(ScriptedResolver(["fcm.googleapis.com": [["127.0.0.1"]]]), ("message_error", "EndpointRefused")),
                                     (ScriptedResolver(stall: true), ("retry", "EndpointUnresolved"))] {
            var server = try await TestServer.on(backend)
            server.allowedGatewayHosts = .none
            let gateways = PushGateways(logger: Logger(label: "test"))
            server.gateways = server.gatewayDirectory(gateways, resolver: CachingEndpointResolver(resolver: resolver, timeout: .milliseconds(200)))
            let store = server.store
            do {
                try await server.run { client in
                    let app = try await client.createApp()
                    #expect(try await client.call(.put, "/v1/apps/\(app.id)/gateways/webpush", key: app.secret,
                                                  json: ["subject": "mailto:ops@example.com"]).status == .ok)
                    let registered = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                        "platform": "webpush", "installationId": "browser", "consent": "granted",
                        "subscription": Tokens.subscription(endpoint: "https://fcm.googleapis.com/fcm/send/abc")])
                    #expect(registered.status == .created)
                    let sent = try await client.call(.post, "/v1/send", key: app.secret, json: [
                        "to": ["installationId": "browser"], "message": ["title": "Hi", "body": "there"], "wait": false])
                    let sendId = try #require(sent["sendId"]?.stringValue, "\(sent.json)")
                    // The worker records the outcome; wait for it with a generous deadline (a loaded machine).
                    var record: DeliveryRecord?
                    let deadline = ContinuousClock.now + .seconds(60)
                    while ContinuousClock.now < deadline {
                        record = try await store.deliveries(appId: app.id, campaignId: sendId, installationId: nil).first
                        if record?.outcome != nil { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(record?.outcome == expected.0, "\(String(describing: record))")
                    #expect(record?.reason == expected.1, "\(String(describing: record))")
                    // The subscription is kept: the endpoint was never contacted, nothing said it is dead.
                    #expect(try await client.call(.get, "/v1/installations/browser", key: app.secret)["status"] == "active")
                }
            } catch {
                try? await gateways.httpClient.shutdown()
                throw error
            }
            try await gateways.httpClient.shutdown()
        }
    }
}
