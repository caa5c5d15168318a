import Crypto
import Foundation
import NIOHTTP1
import PerchCore
import Synchronization
import Testing

@testable import PerchSimulator

@Suite("APNs simulator over HTTP/2 + TLS")
struct APNsSimulatorTests {
    @Test("an apns-id is a UUID when Foundation reads one: 8-4-4-4-12 hex digits, in either case, and nothing else")
    func apnsIdIsAUUID() {
        var texts = (0..<50).flatMap { _ in [UUID().uuidString, UUID().uuidString.lowercased()] }
        let id = UUID().uuidString
        texts += [
            "", "not-a-uuid", String(id.dropLast()), id + "0", "{\(id)}", id.replacingOccurrences(of: "-", with: ""),
            String(id.prefix(8)) + "_" + String(id.dropFirst(9)), "g" + String(id.dropFirst()), String(id.dropLast()) + " ",
            "123e4567-e89b-12d3-a456-42661417400é", "123e4567e-89b-12d3-a456-426614174000",
        ]
        for text in texts {
            #expect(SimulatedAPNs.isUUID(text) == (UUID(uuidString: text) != nil), "\(text)")
        }
        // Foundation on Linux reads each group with sscanf's %x, which also takes a sign: not a UUID's text.
        #expect(!SimulatedAPNs.isUUID("+23e4567-e89b-12d3-a456-426614174000") && !SimulatedAPNs.isUUID("123e4567--89b-12d3-a456-426614174000"))
    }

    @Test("TLS with the simulator CA and HTTP/2 are really negotiated; a valid push gets 200 and apns-id")
    func acceptedOverHTTP2() async throws {
        try await withSimulator { harness async throws in
            let id = UUID().uuidString  // upper case: echoed exactly as sent
            let response = try await harness.apnsPush(headers: [("apns-id", id), ("apns-priority", "10")])
            #expect(response.version == .http2)
            #expect(response.status == 200)
            #expect(response.headers.first(name: "apns-id") == id)
            #expect(response.headers.first(name: "apns-unique-id") == nil)

            let received = harness.simulator.received(platform: .apns)
            #expect(received.count == 1)
            #expect(received.first?.token == SimulatorHarness.deviceToken)
            #expect(received.first?.environment == .production)
            #expect(received.first?.headers["authorization"] == nil)
            #expect((received.first?.jsonObject?["aps"] as? [String: Any])?["alert"] as? String == "hello")
        }
    }

    @Test("the sandbox host answers with apns-unique-id and records the sandbox environment")
    func sandboxHost() async throws {
        try await withSimulator { harness async throws in
            let response = try await harness.apnsPush(sandbox: true)
            #expect(response.status == 200)
            #expect(response.headers.first(name: "apns-unique-id") != nil)
            #expect(harness.simulator.received(platform: .apns).first?.environment == .sandbox)
        }
    }

    @Test("many concurrent streams share one connection")
    func concurrentStreams() async throws {
        try await withSimulator { harness async throws in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let token = String(format: "%064x", index)
                        return try await harness.apnsPush(token: token).status
                    }
                }
                var statuses: [Int] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses.count == 200)
                #expect(statuses.allSatisfy { $0 == 200 })
            }
            #expect(harness.simulator.counters(platform: .apns).accepted == 200)
            #expect(harness.simulator.counters(platform: .apns).perToken.count == 200)
            #expect(harness.simulator.counters(platform: .apns).connections == 1)
        }
    }

    @Test("provider token: missing, wrong key, wrong kid, wrong team, expired and future tokens are refused with 403")
    func providerTokenRefusals() async throws {
        try await withSimulator { harness async throws in
            let missing = try await harness.apnsPush(authorization: .some(nil))
            #expect(missing.status == 403)
            #expect(missing.reason == "MissingProviderToken")

            let otherKey = try harness.providerToken(key: P256.Signing.PrivateKey())
            let wrongSignature = try await harness.apnsPush(authorization: "bearer \(otherKey)")
            #expect(wrongSignature.status == 403)
            #expect(wrongSignature.reason == "InvalidProviderToken")

            let wrongKid = try await harness.apnsPush(authorization: "bearer \(try harness.providerToken(keyId: "OTHERKEY01"))")
            #expect(wrongKid.reason == "InvalidProviderToken")

            let wrongTeam = try await harness.apnsPush(authorization: "bearer \(try harness.providerToken(teamId: "OTHERTEAM1"))")
            #expect(wrongTeam.reason == "InvalidProviderToken")

            let garbage = try await harness.apnsPush(authorization: "bearer not.a.jwt")
            #expect(garbage.reason == "InvalidProviderToken")

            let old = try harness.providerToken(issuedAt: Date().addingTimeInterval(-3601))
            let expired = try await harness.apnsPush(authorization: "bearer \(old)")
            #expect(expired.status == 403)
            #expect(expired.reason == "ExpiredProviderToken")

            let future = try harness.providerToken(issuedAt: Date().addingTimeInterval(600))
            #expect(try await harness.apnsPush(authorization: "bearer \(future)").reason == "InvalidProviderToken")

            let fresh = try harness.providerToken(issuedAt: Date().addingTimeInterval(-3000))
            #expect(try await harness.apnsPush(authorization: "bearer \(fresh)").status == 200)
            let counters = harness.simulator.counters(platform: .apns)
            #expect(counters.rejected == 7)
            #expect(counters.accepted == 1)
        }
    }

    @Test("a provider token accepted earlier expires when it becomes an hour old")
    func cachedTokenExpires() async throws {
        let clock = TestWallClock()
        try await withSimulator({ $0.now = { clock.now } }) { harness async throws in
            let token = try harness.providerToken(issuedAt: clock.now)
            #expect(try await harness.apnsPush(authorization: "bearer \(token)").status == 200)
            clock.advance(by: 3601)
            #expect(try await harness.apnsPush(authorization: "bearer \(token)").reason == "ExpiredProviderToken")
            #expect(harness.simulator.counters(platform: .apns).authTokens == 1)
        }
    }

    @Test("with Apple's 20-minute rule on, a new provider token sooner than that is 429 TooManyProviderTokenUpdates")
    func providerTokenUpdateRate() async throws {
        let clock = TestWallClock()
        try await withSimulator({ $0.now = { clock.now }; $0.minimumProviderTokenInterval = .seconds(1200) }) { harness async throws in
            let first = try harness.providerToken(issuedAt: clock.now)
            #expect(try await harness.apnsPush(authorization: "bearer \(first)").status == 200)
            clock.advance(by: 60)
            let early = try harness.providerToken(issuedAt: clock.now)
            let refused = try await harness.apnsPush(authorization: "bearer \(early)")
            #expect(refused.status == 429)
            #expect(refused.reason == "TooManyProviderTokenUpdates")
            // The token in use keeps working.
            #expect(try await harness.apnsPush(authorization: "bearer \(first)").status == 200)
            clock.advance(by: 1200)
            let renewed = try harness.providerToken(issuedAt: clock.now)
            #expect(try await harness.apnsPush(authorization: "bearer \(renewed)").status == 200)
            #expect(harness.simulator.counters(platform: .apns).authTokens == 2)
        }
    }

    @Test(
        "headers Apple refuses",
        arguments: [
            ([("apns-collapse-id", String(repeating: "c", count: 65))], 400, "BadCollapseId"),
            ([("apns-push-type", "shout")], 400, "InvalidPushType"),
            ([("apns-id", "not-a-uuid")], 400, "BadMessageId"),
            ([("apns-priority", "7")], 400, "BadPriority"),
            ([("apns-expiration", "tomorrow")], 400, "BadExpirationDate"),
            ([("apns-topic", "com.other.app")], 400, "TopicDisallowed"),
        ] as [([(String, String)], Int, String)])
    func headerRefusals(headers: [(String, String)], status: Int, reason: String) async throws {
        try await withSimulator { harness async throws in
            let response = try await harness.apnsPush(headers: headers)
            #expect(response.status == status)
            #expect(response.reason == reason)
            #expect(response.headers.first(name: "apns-id") != nil)
        }
    }

    @Test("a collapse id of exactly 64 bytes and a .voip topic are fine")
    func headerLimitsAccepted() async throws {
        try await withSimulator { harness async throws in
            let collapse = try await harness.apnsPush(headers: [("apns-collapse-id", String(repeating: "c", count: 64))])
            #expect(collapse.status == 200)
            let voip = try await harness.apnsPush(
                headers: [("apns-topic", harness.endpoints.apns.topic + ".voip"), ("apns-push-type", "voip")])
            #expect(voip.status == 200)
        }
    }

    @Test("payload: empty is 400 PayloadEmpty, over 4096 bytes is 413, VoIP may use 5120")
    func payloadLimits() async throws {
        try await withSimulator { harness async throws in
            let empty = try await harness.apnsPush(payload: Data())
            #expect(empty.status == 400)
            #expect(empty.reason == "PayloadEmpty")

            func payload(_ size: Int) -> Data {
                let prefix = #"{"aps":{"alert":""#
                let suffix = #""}}"#
                return Data((prefix + String(repeating: "x", count: size - prefix.count - suffix.count) + suffix).utf8)
            }
            #expect(try await harness.apnsPush(payload: payload(4096)).status == 200)
            let tooLarge = try await harness.apnsPush(payload: payload(4097))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.reason == "PayloadTooLarge")

            let voipHeaders = [("apns-topic", harness.endpoints.apns.topic + ".voip"), ("apns-push-type", "voip")]
            #expect(try await harness.apnsPush(payload: payload(5120), headers: voipHeaders).status == 200)
            #expect(try await harness.apnsPush(payload: payload(5121), headers: voipHeaders).status == 413)
        }
    }

    @Test("a token that is not hex is 400 BadDeviceToken")
    func badDeviceToken() async throws {
        try await withSimulator { harness async throws in
            for token in ["zz" + String(repeating: "0", count: 62), "abc", String(repeating: "a", count: 202)] {
                let response = try await harness.apnsPush(token: token)
                #expect(response.status == 400)
                #expect(response.reason == "BadDeviceToken")
            }
        }
    }

    @Test("an invalid token answers 410 Unregistered with a millisecond timestamp of when it died")
    func unregistered() async throws {
        try await withSimulator { harness async throws in
            let before = Int64(Date().timeIntervalSince1970 * 1000)
            harness.simulator.markInvalid(platform: .apns, token: SimulatorHarness.deviceToken.uppercased())
            let response = try await harness.apnsPush()
            #expect(response.status == 410)
            #expect(response.reason == "Unregistered")
            let timestamp = try #require(response.json?["timestamp"] as? Int64)
            #expect(timestamp >= before - 1)
            #expect(timestamp <= Int64(Date().timeIntervalSince1970 * 1000))
            // Other tokens are unaffected.
            #expect(try await harness.apnsPush(token: String(repeating: "cd", count: 32)).status == 200)
        }
    }

    @Test("tokens configured invalid from the start answer 410")
    func configuredInvalid() async throws {
        try await withSimulator({ $0.invalidTokens = [.apns: [SimulatorHarness.deviceToken]] }) { harness async throws in
            #expect(try await harness.apnsPush().status == 410)
        }
    }

    @Test("a sandbox token sent to production (and vice versa) is 400 BadDeviceToken, never 410")
    func environmentMixUp() async throws {
        try await withSimulator { harness async throws in
            let sandboxToken = String(repeating: "5a", count: 32)
            let productionToken = String(repeating: "9f", count: 32)
            harness.simulator.setAPNsTokenEnvironment(sandboxToken, .sandbox)
            harness.simulator.setAPNsTokenEnvironment(productionToken, .production)

            let wrongHost = try await harness.apnsPush(token: sandboxToken, sandbox: false)
            #expect(wrongHost.status == 400)
            #expect(wrongHost.reason == "BadDeviceToken")
            #expect(try await harness.apnsPush(token: sandboxToken, sandbox: true).status == 200)

            #expect(try await harness.apnsPush(token: productionToken, sandbox: true).reason == "BadDeviceToken")
            #expect(try await harness.apnsPush(token: productionToken, sandbox: false).status == 200)
        }
    }
}

/// A settable wall clock for the simulator's `now`.
final class TestWallClock: Sendable {
    private let current = Mutex(Date())

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
