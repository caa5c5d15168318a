import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PerchCore
@testable import PerchServer
import Synchronization
import PerchTestSupport
import Testing

/// The clock the rate limits read: set by the test, never slept on.
final class SettableClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date = Date()) { value = Mutex(start) }
    var now: Date { value.withLock { $0 } }
    func advance(by seconds: TimeInterval) { value.withLock { $0.addTimeInterval(seconds) } }
}

/// Publishable-key routes are rate-limited per installation (by default), per client address and per key (when the
/// operator sets them): 429 with `Retry-After` and the error shape. Their answers do not tell which installations exist.
@Suite struct AbuseLimitsAPITests {
    static func server(_ backend: TestBackend, _ configure: (inout RateLimitPolicy) -> Void) async throws -> (TestServer, SettableClock) {
        var server = try await TestServer.on(backend)
        let clock = SettableClock()
        server.now = { clock.now }
        var policy = RateLimitPolicy()
        configure(&policy)
        server.rateLimits = policy
        return (server, clock)
    }

    static func event(_ installation: String) -> JSONValue { ["type": "opened", "installationId": .string(installation)] }

    @Test(arguments: TestBackend.allCases) func eachInstallationHasItsOwnBucket(_ backend: TestBackend) async throws {
        let (server, clock) = try await Self.server(backend) { $0.perInstallation = RateLimit(requests: 3, period: 60) }
        try await server.run { client in
            let app = try await client.createApp()
            let register: JSONValue = ["platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "ios"]
            #expect(try await client.call(.post, "/v1/tokens", key: app.publishable, json: register).status == .created)
            #expect(try await client.call(.put, "/v1/installations/ios/consent", key: app.publishable, json: ["status": "granted"]).status == .ok)
            #expect(try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("ios")]]).status == .ok)
            let limited = try await client.call(.post, "/v1/tokens", key: app.publishable, json: register)
            #expect(limited.status == .tooManyRequests && limited.errorCode == "rate_limited", "\(limited.json)")
            #expect(limited.headers[.retryAfter] == "20", "one token every 20 seconds")
            // Other installations, and the app's own backend with the secret key, are not held back by this one.
            let other: JSONValue = ["platform": "apns", "token": .string(Tokens.apns(2)), "installationId": "ipad"]
            #expect(try await client.call(.post, "/v1/tokens", key: app.publishable, json: other).status == .created)
            #expect(try await client.call(.post, "/v1/tokens", key: app.secret, json: register).status == .ok)
            // Refused requests cost nothing: after 20 seconds there is one token again, not less.
            clock.advance(by: 20)
            #expect(try await client.call(.post, "/v1/logout", key: app.publishable, json: ["installationId": "ios"]).status == .ok)
            #expect(try await client.call(.delete, "/v1/installations/ios", key: app.publishable).status == .tooManyRequests)
        }
    }

    @Test(arguments: TestBackend.allCases) func eventsCountAgainstEveryInstallationTheyName(_ backend: TestBackend) async throws {
        let (server, _) = try await Self.server(backend) { $0.perInstallation = RateLimit(requests: 2, period: 60) }
        try await server.run { client in
            let app = try await client.createApp()
            for id in ["a", "b"] {
                _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                    "platform": "apns", "token": .string(Tokens.apns(id == "a" ? 1 : 2)), "installationId": .string(id)])
            }
            // One token each is left. A batch naming both (and one of them twice) takes one from each.
            let batch = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("a"), Self.event("b"), Self.event("a")]])
            #expect(batch.status == .ok && batch["stored"] == 3, "\(batch.json)")
            let again = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("c"), Self.event("b")]])
            #expect(again.status == .tooManyRequests && again.headers[.retryAfter] == "30")
            // …and a refused batch took nothing from "c".
            #expect(try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("c")]]).status == .ok)
        }
    }

    @Test(arguments: TestBackend.allCases) func clientAddressesComeFromForwardedForOnlyBehindTrustedProxies(_ backend: TestBackend) async throws {
        for trusted in [false, true] {
            let (server, _) = try await Self.server(backend) { policy in
                policy.perInstallation = nil
                policy.perClientAddress = RateLimit(requests: 2, period: 60)
                if trusted { policy.trustedProxies = [TrustedProxy("127.0.0.0/8")!, TrustedProxy("::1")!] }
            }
            try await server.run { client in
                let app = try await client.createApp()
                func events(from address: String) async throws -> Answer {
                    var headers = HTTPFields()
                    headers[.authorization] = "Bearer \(app.publishable)"
                    headers[.contentType] = "application/json"
                    headers[HTTPField.Name("X-Forwarded-For")!] = address
                    return try await client.raw(.post, "/v1/events", headers: headers, body: #"{"events":[{"type":"opened","installationId":"x"}]}"#)
                }
                #expect(try await events(from: "203.0.113.5").status == .ok)
                #expect(try await events(from: "203.0.113.5").status == .ok)
                let third = try await events(from: "203.0.113.5")
                #expect(third.status == .tooManyRequests && third.headers[.retryAfter] == "30")
                // Behind a trusted proxy another client has its own bucket; from an untrusted peer the header is ignored
                // and every request is the peer's.
                #expect(try await events(from: "203.0.113.6").status == (trusted ? .ok : .tooManyRequests))
                // Secret-key requests are the app's backend: not limited per address.
                #expect(try await client.call(.get, "/v1/metrics/tokens", key: app.secret).status == .ok)
            }
        }
    }

    @Test(arguments: TestBackend.allCases) func aPublishableKeyCeilingCoversAllItsClients(_ backend: TestBackend) async throws {
        let (server, clock) = try await Self.server(backend) { policy in
            policy.perInstallation = nil
            policy.perPublishableKey = RateLimit(requests: 120, period: 60, burst: 2)
        }
        try await server.run { client in
            let app = try await client.createApp()
            let other = try await client.createApp("Other")
            for installation in ["a", "b"] {
                #expect(try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event(installation)]]).status == .ok)
            }
            let limited = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("c")]])
            #expect(limited.status == .tooManyRequests && limited.headers[.retryAfter] == "1" && limited.errorCode == "rate_limited")
            #expect(try await client.call(.post, "/v1/events", key: other.publishable, json: ["events": [Self.event("c")]]).status == .ok)
            clock.advance(by: 1)
            #expect(try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("c")]]).status == .ok)
        }
    }

    @Test(arguments: TestBackend.allCases) func eventsDoNotTellAPublishableKeyWhichInstallationsExist(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            _ = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
                "platform": "apns", "token": .string(Tokens.apns(1)), "installationId": "known"])
            let known = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("known")]])
            let unknown = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": [Self.event("unknown")]])
            #expect(known.status == .ok && known.json == unknown.json, "\(known.json) vs \(unknown.json)")
            // The secret key — the app's own backend — still learns which items were not stored.
            let secret = try await client.call(.post, "/v1/events", key: app.secret, json: ["events": [Self.event("unknown")]])
            #expect(secret["rejected"] == 1, "\(secret.json)")
        }
    }

    @Test func bucketsStayBoundedWhateverIdsAClientMakesUp() {
        let limiter = RateLimiter(limit: RateLimit(requests: 1, period: 60), maximumTracked: 10)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        // Busy buckets: each made-up id spends its only token.
        for index in 0..<1000 { #expect(limiter.take(["made-up-\(index)"], now: start.addingTimeInterval(Double(index) / 1000)) == nil) }
        #expect(limiter.trackedCount <= 10)
        // The most recent one is still remembered (and still empty)…
        #expect(limiter.take(["made-up-999"], now: start.addingTimeInterval(1)) != nil)
        // …and once idle buckets have refilled, they are the ones dropped first.
        #expect(limiter.take(["fresh"], now: start.addingTimeInterval(3600)) == nil)
        #expect(limiter.trackedCount <= 10)
    }
}
