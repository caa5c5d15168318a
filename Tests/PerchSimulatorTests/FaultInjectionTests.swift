import Crypto
import Foundation
import PerchCore
import Testing

@testable import PerchSimulator

/// Serialized: the stall checks wait out a request bound, which a machine busy with the other suites would stretch.
@Suite("Faults, latency and counters", .serialized)
struct FaultInjectionTests {
    @Test("an injected 429 carries Retry-After and Apple's reason; it hits only the next request")
    func tooManyRequests() async throws {
        try await withSimulator { harness async throws in
            harness.simulator.inject(.tooManyRequests(retryAfter: 7), platform: .apns)
            let limited = try await harness.apnsPush()
            #expect(limited.status == 429)
            #expect(limited.reason == "TooManyRequests")
            #expect(limited.headers.first(name: "retry-after") == "7")
            #expect(try await harness.apnsPush().status == 200)
            let counters = harness.simulator.counters(platform: .apns)
            #expect(counters.received == 2)
            #expect(counters.faults == 1)
            #expect(counters.accepted == 1)
        }
    }

    @Test("injected 503 and 500 hit count requests on their platform only")
    func serverErrors() async throws {
        try await withSimulator { harness async throws in
            harness.simulator.inject(.serviceUnavailable, platform: .webpush, count: 2)
            harness.simulator.inject(.internalServerError, platform: .apns)
            let subscription = harness.simulator.newWebPushSubscription()
            #expect(try await harness.webPush(subscription, plaintext: Data("a".utf8)).status == 503)
            #expect(try await harness.webPush(subscription, plaintext: Data("a".utf8)).status == 503)
            #expect(try await harness.webPush(subscription, plaintext: Data("a".utf8)).status == 201)
            let apns = try await harness.apnsPush()
            #expect(apns.status == 500)
            #expect(apns.reason == "InternalServerError")
        }
    }

    @Test("a reset fault breaks the connection; the client recovers on a new one")
    func reset() async throws {
        try await withSimulator { harness async throws in
            #expect(try await harness.apnsPush().status == 200)
            harness.simulator.inject(.reset, platform: .apns)
            await #expect(throws: (any Error).self) { try await harness.apnsPush() }
            // The client's pool may hand out the dead connection once more before it notices the
            // reset; a client retries on a fresh connection, and the simulator serves that one.
            var status: Int?
            for _ in 0..<3 where status == nil {
                status = try? await harness.apnsPush().status
                if status == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200)
            #expect(harness.simulator.counters(platform: .apns).faults == 1)
        }
    }

    @Test("a stalled answer never comes: the client's own timeout ends the request")
    func stall() async throws {
        try await withSimulator { harness async throws in
            // An open connection first, so the timed request reaches the simulator well within its timeout.
            #expect(try await harness.apnsPush().status == 200)
            harness.simulator.inject(.stall, platform: .apns)
            await #expect(throws: (any Error).self) { try await harness.apnsPush(timeout: .seconds(2)) }
            #expect(harness.simulator.counters(platform: .apns).faults == 1)
            #expect(try await harness.apnsPush().status == 200)
        }
    }

    @Test("GOAWAY after an answer: the request succeeds, the connection closes, the next request comes on a new one")
    func goAway() async throws {
        try await withSimulator { harness async throws in
            #expect(try await harness.apnsPush().status == 200)
            #expect(harness.simulator.counters(platform: .apns).connections == 1)
            harness.simulator.inject(.goAway, platform: .apns)
            #expect(try await harness.apnsPush().status == 200)
            // The client learns of the GOAWAY asynchronously: a request racing it may fail on the closing connection,
            // and is sent again (within a deadline) until it goes out on a new one.
            let deadline = ContinuousClock.now + .seconds(30)
            var status = try? await harness.apnsPush().status
            while status != 200, ContinuousClock.now < deadline {
                await Task.yield()
                status = try? await harness.apnsPush().status
            }
            #expect(status == 200)
            let counters = harness.simulator.counters(platform: .apns)
            #expect(counters.accepted == 3)
            #expect(counters.faults == 1)
            #expect(counters.connections == 2)
        }
    }

    @Test("a plan with rate 1 faults every request; invalid@1 kills each token it meets")
    func plannedFaults() async throws {
        try await withSimulator({ $0.faults = try! FaultPlan(parsing: "fcm:503@1,apns:invalid@1") }) { harness async throws in
            let accessToken = try await harness.fcmAccessToken()
            let unavailable = try await harness.fcmSend(message: ["token": FCMSimulatorTests.registrationToken], accessToken: accessToken)
            #expect(unavailable.status == 503)
            #expect(unavailable.fcmErrorCode == "UNAVAILABLE")

            let dead = try await harness.apnsPush()
            #expect(dead.status == 410)
            #expect(dead.reason == "Unregistered")
            #expect(dead.json?["timestamp"] is Int64)
        }
    }

    @Test("latency delays every push answer: each answer, a refusal too, is scheduled that long after the request")
    func latency() async throws {
        // What the services decide, without a clock: the answer and the delay the handler schedules it after.
        let state = SimulatorState(plan: .none, invalidTokens: [:], historyLimit: 10, now: Date())
        let apns = SimulatedAPNs(teamId: "TEAM000001", keyId: "KEY0000001", topic: "com.example.app",
                                 providerKey: P256.Signing.PrivateKey().publicKey, state: state, latency: .milliseconds(300),
                                 minimumProviderTokenInterval: nil, now: Date.init)
        let refused = apns.handle(SimulatorRequest(method: "POST", uri: "/3/device/\(SimulatorHarness.deviceToken)", headers: [], body: Data()),
                                  environment: .production)
        guard case .respond(let response, let delay) = refused else {
            Issue.record("expected an answer, got \(refused)")
            return
        }
        #expect(response.status == 403 && delay == .milliseconds(300))
        // And end to end, a push still gets its answer with latency configured (how long it took is bench/'s to measure).
        try await withSimulator({ $0.latency = .milliseconds(300) }) { harness async throws in
            #expect(try await harness.apnsPush().status == 200)
        }
    }

    @Test("counters: received, accepted, per token, and duplicates per (token, payload)")
    func countersAndDuplicates() async throws {
        try await withSimulator { harness async throws in
            let other = String(repeating: "ef", count: 32)
            let same = Data(#"{"aps":{"alert":"same"}}"#.utf8)
            #expect(try await harness.apnsPush(payload: same).status == 200)
            #expect(try await harness.apnsPush(payload: same).status == 200)
            #expect(try await harness.apnsPush(payload: Data(#"{"aps":{"alert":"new"}}"#.utf8)).status == 200)
            #expect(try await harness.apnsPush(token: other, payload: same).status == 200)
            #expect(try await harness.apnsPush(payload: Data()).status == 400)

            let counters = harness.simulator.counters(platform: .apns)
            #expect(counters.received == 5)
            #expect(counters.accepted == 4)
            #expect(counters.rejected == 1)
            #expect(counters.duplicates == 1)
            #expect(counters.perToken == [SimulatorHarness.deviceToken: 3, other: 1])
            #expect(harness.simulator.counters(platform: .fcm) == SimulatorCounters())

            harness.simulator.resetCounters()
            #expect(harness.simulator.counters(platform: .apns) == SimulatorCounters())
            #expect(harness.simulator.received(platform: .apns).isEmpty)
        }
    }

    @Test("Web Push duplicates compare decrypted plaintexts, not ciphertexts")
    func webPushDuplicates() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            // Each encryption uses a fresh salt and key, so the two bodies differ byte for byte.
            #expect(try await harness.webPush(subscription, plaintext: Data("same".utf8)).status == 201)
            #expect(try await harness.webPush(subscription, plaintext: Data("same".utf8)).status == 201)
            #expect(harness.simulator.counters(platform: .webpush).duplicates == 1)
        }
    }
}
