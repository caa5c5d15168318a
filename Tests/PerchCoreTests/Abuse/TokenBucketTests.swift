import Foundation
import Testing
@testable import PerchCore

@Suite("Token buckets and rate limits")
struct TokenBucketTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFullBucketLetsABurstThroughThenRefillsAtItsRate() {
        var bucket = TokenBucket(limit: RateLimit(requests: 60, period: 60, burst: 5), now: start)
        for _ in 0..<5 { #expect(bucket.take(now: start) == nil) }
        // Empty: one token a second comes back, so the next request waits one second.
        #expect(bucket.take(now: start) == 1)
        #expect(bucket.take(now: start.addingTimeInterval(0.5)) == 1, "half a token is not a token")
        #expect(bucket.take(now: start.addingTimeInterval(1)) == nil)
        #expect(bucket.take(now: start.addingTimeInterval(1)) == 1)
        // Idle long enough, it is full again — and never fuller than its burst.
        #expect(bucket.isFull(at: start.addingTimeInterval(3600)))
        #expect(bucket.available(at: start.addingTimeInterval(3600)) == 5)
    }

    @Test func retryAfterCountsTheWholeSecondsUntilTheNextToken() {
        var bucket = TokenBucket(limit: RateLimit(requests: 1, period: 3600), now: start)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == 3600)
        #expect(bucket.take(now: start.addingTimeInterval(3599.5)) == 1)
        #expect(bucket.take(now: start.addingTimeInterval(3600)) == nil)
    }

    @Test func aClockGoingBackwardsAddsNoTokens() {
        var bucket = TokenBucket(limit: RateLimit(requests: 1, period: 60), now: start)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start.addingTimeInterval(-600)) != nil)
        #expect(bucket.take(now: start.addingTimeInterval(60)) == nil)
    }

    @Test("limits are written REQUESTS/PERIOD[:BURST]", arguments: [
        ("60/m", RateLimit(requests: 60, period: 60, burst: 60)),
        ("600/h:30", RateLimit(requests: 600, period: 3600, burst: 30)),
        ("5/s", RateLimit(requests: 5, period: 1, burst: 5)),
        (" 1000/day:10 ", RateLimit(requests: 1000, period: 86_400, burst: 10)),
    ])
    func parsesLimits(_ text: String, _ limit: RateLimit) {
        #expect(RateLimit(text) == limit)
    }

    @Test("malformed or out-of-range limits are refused", arguments: [
        "", "60", "60/", "/m", "60/fortnight", "0/m", "-1/m", "60/m:0", "60/m:-5", "9223372036854775807/s", "1000000001/s", "60/m:x", "1e3/m",
    ])
    func refusesMalformedLimits(_ text: String) {
        #expect(RateLimit(text) == nil)
    }

    @Test func theDefaultLetsARealDeviceThrough() {
        // A launch: register, identify, a consent change and a batch of events — and a retry of each.
        var bucket = TokenBucket(limit: RateLimitPolicy.defaultPerInstallation, now: start)
        for _ in 0..<8 { #expect(bucket.take(now: start) == nil) }
        // …and a device that keeps sending one request a second is never stopped.
        for second in 1...600 { #expect(bucket.take(now: start.addingTimeInterval(Double(second))) == nil) }
    }
}

@Suite("Client addresses behind trusted proxies")
struct ClientAddressTests {
    func policy(_ proxies: [String]) -> RateLimitPolicy {
        var policy = RateLimitPolicy()
        policy.trustedProxies = proxies.compactMap(TrustedProxy.init)
        return policy
    }

    @Test func forwardedForIsIgnoredFromAnUntrustedPeer() {
        let address = policy([]).clientAddress(peer: IPAddress("198.51.100.7"), forwardedFor: "203.0.113.9")
        #expect(address == IPAddress("198.51.100.7"))
    }

    @Test func theClientIsTheLastHopNotATrustedProxy() {
        let policy = policy(["10.0.0.0/8", "192.0.2.1"])
        // The client wrote "1.1.1.1" itself; 203.0.113.9 is what the first trusted proxy saw.
        #expect(policy.clientAddress(peer: IPAddress("10.1.2.3"), forwardedFor: "1.1.1.1, 203.0.113.9, 192.0.2.1") == IPAddress("203.0.113.9"))
        #expect(policy.clientAddress(peer: IPAddress("10.1.2.3"), forwardedFor: nil) == IPAddress("10.1.2.3"))
        // A malformed hop ends the walk at the last good one.
        #expect(policy.clientAddress(peer: IPAddress("10.1.2.3"), forwardedFor: "junk, 10.9.9.9") == IPAddress("10.9.9.9"))
    }

    @Test func blocksMatchByPrefixAndMappedAddressesAsIPv4() throws {
        let block = try #require(TrustedProxy("10.0.0.0/8"))
        #expect(block.contains(IPAddress("10.255.0.1")!))
        #expect(!block.contains(IPAddress("11.0.0.1")!))
        #expect(block.contains(IPAddress("::ffff:10.1.1.1")!))
        let v6 = try #require(TrustedProxy("fd00::/8"))
        #expect(v6.contains(IPAddress("fd12::1")!) && !v6.contains(IPAddress("fe80::1")!))
        #expect(TrustedProxy("10.0.0.0/33") == nil && TrustedProxy("nonsense") == nil && TrustedProxy("::/129") == nil)
    }

    @Test func anIPv6ClientCountsByItsSlash64() {
        #expect(RateLimitPolicy.clientBucket(IPAddress("2001:db8:1:2:aaaa::1")!) == RateLimitPolicy.clientBucket(IPAddress("2001:db8:1:2:bbbb::9")!))
        #expect(RateLimitPolicy.clientBucket(IPAddress("2001:db8:1:2::1")!) != RateLimitPolicy.clientBucket(IPAddress("2001:db8:1:3::1")!))
        #expect(RateLimitPolicy.clientBucket(IPAddress("::ffff:203.0.113.9")!) == "203.0.113.9")
    }
}
