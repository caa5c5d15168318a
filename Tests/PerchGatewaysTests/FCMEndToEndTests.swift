import Foundation
import PerchCore
import PerchGateways
import PerchSimulator
import Testing
import _CryptoExtras

/// Every FCM row of the outcome table, over HTTP/2 + TLS against the FCM simulator (OAuth endpoint included).
@Suite("FCM gateway against the simulator")
struct FCMEndToEndTests {
    func send(_ sim: SimulatorHarness, _ fault: Fault? = nil, token: String = fcmToken()) async throws -> DeliveryOutcome {
        if let fault { sim.simulator.inject(fault, platform: .fcm) }
        return try await sim.fcm().send(sale, to: .fcm(token: token))
    }

    @Test("200: OAuth exchange, then messages:send accepted with the message name; data values are strings")
    func accepted() async throws {
        try await SimulatorHarness.run { sim in
            let fcm = try sim.fcm()
            let token = fcmToken()
            let outcome = await fcm.send(sale, to: .fcm(token: token))
            guard case .accepted(let name?) = outcome else {
                Issue.record("expected acceptance, got \(outcome)")
                return
            }
            #expect(name.hasPrefix("projects/\(sim.endpoints.fcmProjectId)/messages/"))
            let received = try #require(sim.simulator.received(platform: .fcm).last)
            #expect(received.token == token)
            let data = try #require(received.jsonObject?["data"] as? [String: Any])
            #expect(data["orderId"] as? String == "42")
            #expect(await fcm.accessTokenCount == 1)
        }
    }

    @Test("404 UNREGISTERED (markInvalid) retires the token")
    func unregistered() async throws {
        try await SimulatorHarness.run { sim in
            let token = fcmToken()
            sim.simulator.markInvalid(platform: .fcm, token: token)
            let outcome = try await send(sim, token: token)
            #expect(outcome == .retireToken(reason: .init(platform: .fcm, status: 404, code: "UNREGISTERED"), timestamp: nil))
        }
    }

    @Test("400 INVALID_ARGUMENT naming the registration token retires it")
    func invalidToken() async throws {
        try await SimulatorHarness.run { sim in
            let outcome = try await send(sim, token: "not a token!")
            #expect(outcome == .retireToken(reason: .init(platform: .fcm, status: 400, code: "INVALID_ARGUMENT"), timestamp: nil))
        }
    }

    @Test("400 INVALID_ARGUMENT about the message is a message error")
    func invalidMessage() async throws {
        try await SimulatorHarness.run { sim in
            let outcome = try await send(sim, .status(400, reason: "INVALID_ARGUMENT", retryAfter: nil))
            #expect(outcome == .messageError(reason: .init(platform: .fcm, status: 400, code: "INVALID_ARGUMENT")))
        }
    }

    @Test("403 SENDER_ID_MISMATCH leaves the token alone")
    func senderIdMismatch() async throws {
        try await SimulatorHarness.run { sim in
            let outcome = try await send(sim, .status(403, reason: "SENDER_ID_MISMATCH", retryAfter: nil))
            #expect(outcome == .messageError(reason: .init(platform: .fcm, status: 403, code: "SENDER_ID_MISMATCH")))
        }
    }

    @Test("429 QUOTA_EXCEEDED backs off at least a minute, longer when Retry-After says so")
    func quotaExceeded() async throws {
        try await SimulatorHarness.run { sim in
            let answer1 = try await send(sim, .status(429, reason: "QUOTA_EXCEEDED", retryAfter: 5))
            #expect(answer1
                == .retry(after: .seconds(60), reason: .init(platform: .fcm, status: 429, code: "QUOTA_EXCEEDED")))
            let answer2 = try await send(sim, .status(429, reason: "QUOTA_EXCEEDED", retryAfter: 120))
            #expect(answer2
                == .retry(after: .seconds(120), reason: .init(platform: .fcm, status: 429, code: "QUOTA_EXCEEDED")))
        }
    }

    @Test("503 UNAVAILABLE and 500 INTERNAL are retried")
    func serverErrors() async throws {
        try await SimulatorHarness.run { sim in
            let answer3 = try await send(sim, .status(503, reason: "UNAVAILABLE", retryAfter: nil))
            #expect(answer3
                == .retry(after: nil, reason: .init(platform: .fcm, status: 503, code: "UNAVAILABLE")))
            let answer4 = try await send(sim, .status(500, reason: "INTERNAL", retryAfter: nil))
            #expect(answer4
                == .retry(after: nil, reason: .init(platform: .fcm, status: 500, code: "INTERNAL")))
        }
    }

    @Test("401 THIRD_PARTY_AUTH_ERROR is a credential error")
    func thirdPartyAuth() async throws {
        try await SimulatorHarness.run { sim in
            let answer5 = try await send(sim, .status(401, reason: "THIRD_PARTY_AUTH_ERROR", retryAfter: nil))
            #expect(answer5
                == .credentialError(reason: .init(platform: .fcm, status: 401, code: "THIRD_PARTY_AUTH_ERROR")))
        }
    }

    @Test("an OAuth failure (assertion signed by the wrong key) is a credential error and nothing is sent")
    func oauthFailure() async throws {
        try await SimulatorHarness.run { sim in
            var account = try #require(
                JSONSerialization.jsonObject(with: Data(sim.endpoints.fcmServiceAccountJSON.utf8)) as? [String: Any])
            account["private_key"] = try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
            account.removeValue(forKey: "private_key_id")
            let json = String(decoding: try JSONSerialization.data(withJSONObject: account), as: UTF8.self)
            let fcm = try sim.gateways.fcm(sim.fcmConfiguration(serviceAccountJSON: json))
            let outcome = await fcm.send(sale, to: .fcm(token: fcmToken()))
            guard case .credentialError(let reason) = outcome else {
                Issue.record("expected a credential error, got \(outcome)")
                return
            }
            #expect(reason.code == "OAuth:invalid_grant")
            #expect(sim.simulator.counters(platform: .fcm).accepted == 0)
        }
    }

    @Test("an unknown errorCode is retried conservatively and never retires")
    func unknownCode() async throws {
        try await SimulatorHarness.run { sim in
            let answer6 = try await send(sim, .status(404, reason: "SOMETHING_NEW", retryAfter: nil))
            #expect(answer6
                == .retry(after: .seconds(60), reason: .init(platform: .fcm, status: 404, code: "SOMETHING_NEW")))
        }
    }

    @Test("a stalled answer ends in a timeout outcome within the configured bound")
    func stall() async throws {
        try await SimulatorHarness.run { sim in
            let fcm = try sim.fcm(timeout: .seconds(1))
            _ = await fcm.send(sale, to: .fcm(token: fcmToken()))
            sim.simulator.inject(.stall, platform: .fcm)
            // A timeout outcome (not a transport failure) is the bound at work; how long it took is bench/'s to measure.
            let outcome = await fcm.send(sale, to: .fcm(token: fcmToken()))
            #expect(outcome == .retry(after: nil, reason: .timeout(.fcm)))
        }
    }

    @Test("the access token is cached until five minutes before expires_in, then renewed (injected clock)")
    func accessTokenRenewal() async throws {
        let clock = TestClock()
        try await SimulatorHarness.run(clock: clock) { sim in
            let fcm = try sim.fcm()
            let destination = PushDestination.fcm(token: fcmToken())
            guard case .accepted = await fcm.send(sale, to: destination) else {
                Issue.record("first send not accepted")
                return
            }
            clock.advance(minutes: 54)
            _ = await fcm.send(sale, to: destination)
            #expect(await fcm.accessTokenCount == 1)
            clock.advance(minutes: 1.5)
            guard case .accepted = await fcm.send(sale, to: destination) else {
                Issue.record("send with the renewed token not accepted")
                return
            }
            #expect(await fcm.accessTokenCount == 2)
            #expect(sim.simulator.counters(platform: .fcm).authTokens == 2)
        }
    }
}
