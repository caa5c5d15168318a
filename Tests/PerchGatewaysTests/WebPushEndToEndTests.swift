import Foundation
import PerchCore
@testable import PerchGateways
import PerchSimulator
import Testing

/// Every Web Push row of the outcome table, over HTTP/2 + TLS against the Web Push simulator, which decrypts every
/// message with the subscription's private key and verifies the VAPID header.
@Suite("Web Push gateway against the simulator")
struct WebPushEndToEndTests {
    @Test("201: the simulator decrypts exactly the plaintext Perch rendered, with TTL, Urgency and Topic")
    func accepted() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let webPush = try sim.webPush(key: key)
            let destination = sim.subscription(for: key)
            var message = sale
            message.webpush = ["headers": ["Urgency": "high", "Topic": "sale"]]
            let outcome = await webPush.send(message, to: destination, options: PushSendOptions(timeToLive: 600))
            guard case .accepted(let location?) = outcome else {
                Issue.record("expected acceptance with a Location, got \(outcome)")
                return
            }
            #expect(location.hasPrefix("https://"))
            let received = try #require(sim.simulator.received(platform: .webpush).last)
            #expect(received.body == (try message.renderWebPush(timeToLive: 600)).plaintext)
            #expect(received.headers["ttl"] == "600")
            #expect(received.headers["urgency"] == "high")
            #expect(received.headers["topic"] == "sale")
        }
    }

    @Test("the VAPID token is cached per origin: many sends, one signature")
    func vapidCached() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let webPush = try sim.webPush(key: key)
            for _ in 0..<5 {
                guard case .accepted = await webPush.send(sale, to: sim.subscription(for: key)) else {
                    Issue.record("send not accepted")
                    return
                }
            }
            #expect(await webPush.vapidTokenCount == 1)
            #expect(sim.simulator.counters(platform: .webpush).authTokens == 1)
        }
    }

    @Test("410 Gone (markInvalid) retires the subscription")
    func gone() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let destination = sim.subscription(for: key)
            guard case .webpush(let subscription) = destination else { return }
            sim.simulator.markInvalid(platform: .webpush, token: subscription.endpoint.absoluteString)
            let outcome = try await sim.webPush(key: key).send(sale, to: destination)
            #expect(outcome == .retireToken(reason: .init(platform: .webpush, status: 410, code: "Gone"), timestamp: nil))
        }
    }

    @Test("404 retires, 413 is a message error, 429 waits for Retry-After, 500 is retried")
    func injectedStatuses() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let webPush = try sim.webPush(key: key)
            let destination = sim.subscription(for: key)
            sim.simulator.inject(.status(404, reason: nil, retryAfter: nil), platform: .webpush)
            #expect(await webPush.send(sale, to: destination)
                == .retireToken(reason: .init(platform: .webpush, status: 404, code: "NotFound"), timestamp: nil))
            sim.simulator.inject(.status(413, reason: nil, retryAfter: nil), platform: .webpush)
            #expect(await webPush.send(sale, to: destination)
                == .messageError(reason: .init(platform: .webpush, status: 413, code: "PayloadTooLarge")))
            sim.simulator.inject(.status(429, reason: nil, retryAfter: 9), platform: .webpush)
            #expect(await webPush.send(sale, to: destination)
                == .retry(after: .seconds(9), reason: .init(platform: .webpush, status: 429, code: "TooManyRequests")))
            sim.simulator.inject(.status(500, reason: nil, retryAfter: nil), platform: .webpush)
            #expect(await webPush.send(sale, to: destination)
                == .retry(after: nil, reason: .init(platform: .webpush, status: 500, code: "InternalServerError")))
            sim.simulator.inject(.status(400, reason: nil, retryAfter: nil), platform: .webpush)
            #expect(await webPush.send(sale, to: destination)
                == .credentialError(reason: .init(platform: .webpush, status: 400, code: "BadRequest")))
        }
    }

    @Test("a VAPID key other than the subscription's is refused (401/403): a configuration error, the subscription kept")
    func wrongVapidKey() async throws {
        try await SimulatorHarness.run { sim in
            let destination = sim.subscription(for: VAPIDKey.generate())
            let outcome = try await sim.webPush(key: VAPIDKey.generate()).send(sale, to: destination)
            guard case .credentialError(let reason) = outcome else {
                Issue.record("expected a credential error, got \(outcome)")
                return
            }
            #expect(reason.status == 401 || reason.status == 403)
        }
    }

    @Test("an endpoint the host policy refuses is never contacted and never retired")
    func endpointRefused() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let destination = sim.subscription(for: key)
            let checked = TestClock(Date(timeIntervalSince1970: 0))
            let refusing = try sim.webPush(key: key) { _ in
                checked.advance(minutes: 1)
                return .refused(detail: "the endpoint host resolves to a loopback address")
            }
            let outcome = await refusing.send(sale, to: destination)
            #expect(outcome.reason?.code == "EndpointRefused")
            guard case .messageError = outcome else {
                Issue.record("expected a message error, got \(outcome)")
                return
            }
            #expect(checked.now() == Date(timeIntervalSince1970: 60))

            let notAllowed = try sim.webPush(key: key, allowedHosts: ["push.example.net"])
            #expect(await notAllowed.send(sale, to: destination).reason?.code == "EndpointRefused")
            #expect(sim.simulator.counters(platform: .webpush).received == 0)
        }
    }

    @Test("a pinned send connects to the address that was checked, with TLS verified for the endpoint's host name")
    func pinnedAddress() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            // The simulator listens on 127.0.0.1 with a certificate for `localhost` too; the endpoint names `localhost`,
            // which resolves to it. Its push service answers 403 (the VAPID audience names 127.0.0.1, not localhost):
            // an HTTP answer proves the connection and the TLS handshake for the name succeeded.
            guard case .webpush(let subscription) = sim.subscription(for: key) else { Issue.record("not a subscription"); return }
            let byName = subscription.endpoint.absoluteString.replacingOccurrences(of: "//127.0.0.1:", with: "//localhost:")
            #expect(byName.contains("//localhost:"))
            let destination = try #require(PushDestination.webPush(
                endpoint: byName, p256dh: Base64URL.encode(subscription.p256dh), auth: Base64URL.encode(subscription.auth)))
            func send(_ clearance: WebPushEndpointClearance) async throws -> DeliveryOutcome {
                try await sim.webPush(key: key, allowedHosts: [], timeout: .seconds(30)) { _ in clearance }.send(sale, to: destination)
            }
            func answeredBySimulator(_ outcome: DeliveryOutcome) -> Bool {
                if case .credentialError(let reason) = outcome { return reason.status == 403 }
                return false
            }

            let unpinned = try await send(.connect)
            #expect(answeredBySimulator(unpinned), "by name: \(unpinned)")
            let pinnedToTheSimulator = try await send(.connectPinned(address: "127.0.0.1"))
            #expect(answeredBySimulator(pinnedToTheSimulator), "pinned to 127.0.0.1: \(pinnedToTheSimulator)")
            #expect(sim.gateways.pinnedClients.count == 1)

            // ::1 is loopback too and `localhost` may name it, but nothing listens there: the send goes to the pinned
            // address or nowhere — it is never resolved again.
            let pinnedElsewhere = try await send(.connectPinned(address: "::1"))
            guard case .retry(_, let reason) = pinnedElsewhere else { Issue.record("pinned to ::1: \(pinnedElsewhere)"); return }
            #expect(reason.code == "TransportError" || reason.code == "Timeout")
            #expect(sim.gateways.pinnedClients.count == 2)
        }
    }

    @Test("an unresolvable host is retried later, never contacted")
    func unresolvedHost() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let outcome = try await sim.webPush(key: key) { _ in .unresolved(detail: "DNS lookup timed out") }
                .send(sale, to: sim.subscription(for: key))
            #expect(outcome == .retry(after: WebPushClient.unresolvedRetryDelay, reason: .endpointUnresolved(detail: "DNS lookup timed out")))
            #expect(sim.simulator.counters(platform: .webpush).received == 0)
        }
    }

    @Test("a stalled answer ends in a timeout outcome within the configured bound")
    func stall() async throws {
        try await SimulatorHarness.run { sim in
            let key = VAPIDKey.generate()
            let webPush = try sim.webPush(key: key, timeout: .seconds(1))
            let destination = sim.subscription(for: key)
            _ = await webPush.send(sale, to: destination)
            sim.simulator.inject(.stall, platform: .webpush)
            // A timeout outcome (not a transport failure) is the bound at work; how long it took is bench/'s to measure.
            let outcome = await webPush.send(sale, to: destination)
            #expect(outcome == .retry(after: nil, reason: .timeout(.webpush)))
        }
    }
}
