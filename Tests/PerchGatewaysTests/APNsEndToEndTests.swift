import Foundation
import PerchCore
import PerchGateways
import PerchSimulator
import Testing

/// Every APNs row of the outcome table, over HTTP/2 + TLS against the APNs simulator.
@Suite("APNs gateway against the simulator")
struct APNsEndToEndTests {
    @Test("200: the simulator verifies the provider token and headers, the outcome is accepted with our apns-id")
    func accepted() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns()
            let token = apnsToken()
            let id = UUID()
            let rendered = try sale.renderAPNs()
            let outcome = await apns.send(rendered, deviceToken: token, tokenEnvironment: .production, apnsId: id)
            #expect(outcome == .accepted(gatewayMessageId: id.uuidString.lowercased()))
            let received = try #require(sim.simulator.received(platform: .apns).last)
            #expect(received.token == token)
            #expect(received.headers["apns-topic"] == sim.endpoints.apns.topic)
            #expect(received.headers["apns-push-type"] == "alert")
            #expect(received.headers["apns-id"] == id.uuidString.lowercased())
            let aps = try #require(received.jsonObject?["aps"] as? [String: Any])
            #expect((aps["alert"] as? [String: Any])?["title"] as? String == "Sale")
            #expect(received.jsonObject?["orderId"] as? Int == 42)
        }
    }

    @Test("many concurrent sends share one connection and one provider token")
    func concurrent() async throws {
        try await SimulatorHarness.run { sim in
            // Debug builds on a shared 2-core machine are slow: the bound here is generous, the count modest.
            let apns = try sim.apns(timeout: .seconds(30))
            let outcomes = await withTaskGroup(of: DeliveryOutcome.self) { group in
                for _ in 0..<100 { group.addTask { await apns.send(sale, to: .apns(token: apnsToken(), environment: .production)) } }
                return await group.reduce(into: [DeliveryOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.count == 100)
            let refused = outcomes.filter { if case .accepted = $0 { false } else { true } }
            #expect(refused.isEmpty, "\(refused.count) not accepted, e.g. \(refused.first.map { "\($0)" } ?? "")")
            #expect(sim.simulator.counters(platform: .apns).accepted == 100)
            #expect(await apns.providerTokenCount == 1)
            #expect(sim.simulator.counters(platform: .apns).authTokens == 1)
        }
    }

    @Test("410 Unregistered (markInvalid) retires the token with APNs' timestamp")
    func unregistered() async throws {
        try await SimulatorHarness.run { sim in
            let token = apnsToken()
            sim.simulator.markInvalid(platform: .apns, token: token)
            let outcome = try await sim.apns().send(sale, to: .apns(token: token, environment: .production))
            guard case .retireToken(let reason, let timestamp) = outcome else {
                Issue.record("expected a retirement, got \(outcome)")
                return
            }
            #expect(reason.code == "Unregistered" && reason.status == 410)
            #expect(timestamp != nil)
        }
    }

    @Test("410 ExpiredToken retires the token")
    func expiredToken() async throws {
        try await SimulatorHarness.run { sim in
            sim.simulator.inject(.status(410, reason: "ExpiredToken", retryAfter: nil), platform: .apns)
            let outcome = try await sim.apns().send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome.retiresToken)
            #expect(outcome.reason?.code == "ExpiredToken")
        }
    }

    @Test("a sandbox/production mix-up retires nothing: BadDeviceToken from the other environment is a message error")
    func environmentMixUp() async throws {
        try await SimulatorHarness.run { sim in
            // Tokens from a development build, correctly registered as sandbox, sent through a production connection.
            let production = try sim.apns(.production)
            var outcomes: [DeliveryOutcome] = []
            for _ in 0..<5 {
                let token = apnsToken()
                sim.simulator.setAPNsTokenEnvironment(token, .sandbox)
                outcomes.append(await production.send(sale, to: .apns(token: token, environment: .sandbox)))
            }
            // And production tokens through a sandbox connection.
            let sandbox = try sim.apns(.sandbox)
            let token = apnsToken()
            sim.simulator.setAPNsTokenEnvironment(token, .production)
            outcomes.append(await sandbox.send(sale, to: .apns(token: token, environment: .production)))
            // Or with the environment unknown.
            let unknown = apnsToken()
            sim.simulator.setAPNsTokenEnvironment(unknown, .sandbox)
            outcomes.append(await production.send(sale, to: .apns(token: unknown, environment: nil)))

            #expect(outcomes.allSatisfy { !$0.retiresToken })
            for outcome in outcomes {
                guard case .messageError(let reason) = outcome else {
                    Issue.record("expected a message error, got \(outcome)")
                    continue
                }
                #expect(reason.code == "BadDeviceToken")
            }
        }
    }

    @Test("400 BadDeviceToken for a token registered in the connection's own environment retires it")
    func badDeviceTokenSameEnvironment() async throws {
        try await SimulatorHarness.run { sim in
            // The registry says production, the production host says the token is bad: it is.
            let token = apnsToken()
            sim.simulator.setAPNsTokenEnvironment(token, .sandbox)
            let outcome = try await sim.apns(.production).send(sale, to: .apns(token: token, environment: .production))
            #expect(outcome.retiresToken)
            #expect(outcome.reason?.code == "BadDeviceToken")
        }
    }

    @Test("400 DeviceTokenNotForTopic is a message error")
    func deviceTokenNotForTopic() async throws {
        try await SimulatorHarness.run { sim in
            sim.simulator.inject(.status(400, reason: "DeviceTokenNotForTopic", retryAfter: nil), platform: .apns)
            let outcome = try await sim.apns().send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome == .messageError(reason: .init(platform: .apns, status: 400, code: "DeviceTokenNotForTopic")))
        }
    }

    @Test("413 PayloadTooLarge is a message error; an oversized payload is refused before it is sent")
    func payloadTooLarge() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns()
            sim.simulator.inject(.status(413, reason: "PayloadTooLarge", retryAfter: nil), platform: .apns)
            let answered = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(answered == .messageError(reason: .init(platform: .apns, status: 413, code: "PayloadTooLarge")))

            let before = sim.simulator.counters(platform: .apns).received
            let huge = PushMessage(title: "t", body: String(repeating: "x", count: 5000))
            let refused = await apns.send(huge, to: .apns(token: apnsToken(), environment: .production))
            guard case .messageError(let reason) = refused else {
                Issue.record("expected a message error, got \(refused)")
                return
            }
            #expect(reason.code == "PayloadTooLarge" && reason.status == nil)
            #expect(sim.simulator.counters(platform: .apns).received == before)
        }
    }

    @Test("429 TooManyRequests is retried no earlier than Retry-After")
    func tooManyRequests() async throws {
        try await SimulatorHarness.run { sim in
            sim.simulator.inject(.status(429, reason: "TooManyRequests", retryAfter: 7), platform: .apns)
            let outcome = try await sim.apns().send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome == .retry(after: .seconds(7), reason: .init(platform: .apns, status: 429, code: "TooManyRequests")))
        }
    }

    @Test("403 provider-token reasons are credential errors; a wrong .p8 key is caught by the simulator")
    func providerTokenRejected() async throws {
        try await SimulatorHarness.run { sim in
            sim.simulator.inject(.status(403, reason: "ExpiredProviderToken", retryAfter: nil), platform: .apns)
            let injected = try await sim.apns().send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(injected == .credentialError(reason: .init(platform: .apns, status: 403, code: "ExpiredProviderToken")))

            var wrongKey = sim.apnsConfiguration()
            wrongKey.privateKeyPEM = P256TestKey.pem()
            let outcome = try await sim.gateways.apns(wrongKey).send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome == .credentialError(reason: .init(platform: .apns, status: 403, code: "InvalidProviderToken")))
            #expect(!outcome.retiresToken)
        }
    }

    @Test("500 and 503 are retried")
    func serverErrors() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns()
            sim.simulator.inject(.status(500, reason: "InternalServerError", retryAfter: nil), platform: .apns)
            #expect(await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
                == .retry(after: nil, reason: .init(platform: .apns, status: 500, code: "InternalServerError")))
            sim.simulator.inject(.status(503, reason: "ServiceUnavailable", retryAfter: 3), platform: .apns)
            #expect(await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
                == .retry(after: .seconds(3), reason: .init(platform: .apns, status: 503, code: "ServiceUnavailable")))
        }
    }

    @Test("an unknown reason is retried conservatively and never retires, even on 410")
    func unknownReason() async throws {
        try await SimulatorHarness.run { sim in
            sim.simulator.inject(.status(410, reason: "SomethingAppleAddsLater", retryAfter: nil), platform: .apns)
            let outcome = try await sim.apns().send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome == .retry(after: .seconds(60), reason: .init(platform: .apns, status: 410, code: "SomethingAppleAddsLater")))
        }
    }

    @Test("a reset connection is retried, and a later send reconnects")
    func reset() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns()
            sim.simulator.inject(.reset, platform: .apns)
            let outcome = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            guard case .retry(_, let reason) = outcome else {
                Issue.record("expected a retry, got \(outcome)")
                return
            }
            #expect(reason.status == nil)
            // The delivery layer retries after a backoff; here the retry comes as soon as the pool has seen the connection
            // go (a send that still meets the dead connection is a retry too), within a deadline.
            var next = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            let deadline = ContinuousClock.now + .seconds(30)
            while case .retry = next, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                next = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            }
            guard case .accepted = next else {
                Issue.record("expected the next send to be accepted, got \(next) \(next.reason?.detail ?? "")")
                return
            }
        }
    }

    @Test("a stalled answer ends in a timeout outcome within the configured bound")
    func stall() async throws {
        try await SimulatorHarness.run { sim in
            let apns = try sim.apns(timeout: .seconds(1))
            // Warm the connection so the bound measures the stalled request, not the handshake.
            _ = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            sim.simulator.inject(.stall, platform: .apns)
            // A timeout outcome (not a transport failure) is the bound at work; how long it took is bench/'s to measure.
            let outcome = await apns.send(sale, to: .apns(token: apnsToken(), environment: .production))
            #expect(outcome == .retry(after: nil, reason: .timeout(.apns)))
        }
    }

    @Test("the provider token is reused for 49 minutes and renewed at 50 (injected clock)")
    func providerTokenRenewal() async throws {
        let clock = TestClock()
        try await SimulatorHarness.run(clock: clock) { sim in
            let apns = try sim.apns()
            let destination = PushDestination.apns(token: apnsToken(), environment: .production)
            #expect(await apns.send(sale, to: destination) != .retry(after: nil, reason: .timeout(.apns)))
            #expect(await apns.providerTokenCount == 1)
            clock.advance(minutes: 19)
            _ = await apns.send(sale, to: destination)
            clock.advance(minutes: 30)
            _ = await apns.send(sale, to: destination)
            #expect(await apns.providerTokenCount == 1)
            clock.advance(minutes: 1)
            let renewed = await apns.send(sale, to: destination)
            guard case .accepted = renewed else {
                Issue.record("expected acceptance with the renewed token, got \(renewed)")
                return
            }
            #expect(await apns.providerTokenCount == 2)
            #expect(sim.simulator.counters(platform: .apns).authTokens == 2)
        }
    }
}
