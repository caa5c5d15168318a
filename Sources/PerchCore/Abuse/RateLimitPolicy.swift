import Foundation

/// The operator's abuse limits for the public (publishable-key) routes. Each limit is a token bucket per key
/// of its kind; `nil` turns that kind off.
///
/// | setting | default | keyed by |
/// |---|---|---|
/// | `PERCH_RATE_INSTALLATION` | `60/m:60` | the installation a request names (events: each one they name) |
/// | `PERCH_RATE_CLIENT` | off | the client address (`X-Forwarded-For` only from `PERCH_TRUSTED_PROXIES`) |
/// | `PERCH_RATE_PUBLISHABLE_KEY` | off | the publishable key (every client of an app shares it: an opt-in ceiling) |
/// | `PERCH_RATE_MAX_TRACKED` | `100000` | buckets kept per kind; idle (full) ones are dropped first |
public struct RateLimitPolicy: Sendable, Hashable {
    /// A real device registers, identifies and reports events in bursts around launches and opens; 60 a minute
    /// with bursts of 60 never stops one, and holds a script hammering one installation to one a second.
    public static let defaultPerInstallation = RateLimit(requests: 60, period: 60, burst: 60)

    public var perInstallation: RateLimit? = Self.defaultPerInstallation
    public var perClientAddress: RateLimit?
    public var perPublishableKey: RateLimit?
    /// Peers whose `X-Forwarded-For` is believed: the operator's load balancers and proxies.
    public var trustedProxies: [TrustedProxy] = []
    /// The most buckets kept per kind, so memory stays bounded whatever ids a client makes up.
    public var maximumTracked = 100_000

    public init() {}

    /// No limits at all (benchmarks, tests of other things).
    public static var unlimited: RateLimitPolicy {
        var policy = RateLimitPolicy()
        policy.perInstallation = nil
        return policy
    }

    /// The client's address: the peer's, or — when the peer is a trusted proxy — the last address in
    /// `X-Forwarded-For` that is not one of the trusted proxies (each proxy appends the address it saw, so
    /// everything left of the first untrusted hop may be forged by the client).
    public func clientAddress(peer: IPAddress?, forwardedFor: String?) -> IPAddress? {
        guard let peer else { return nil }
        guard isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in hops.reversed() {
            guard let address = IPAddress(hop) else { break }
            client = address
            if !isTrusted(address) { break }
        }
        return client
    }

    func isTrusted(_ address: IPAddress) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The bucket a client address counts against: the address itself for IPv4, its /64 for IPv6 — one
    /// subscriber is usually handed a whole /64, so per address it could sidestep any limit.
    public static func clientBucket(_ address: IPAddress) -> String {
        switch TrustedProxy.unmapped(address) {
        case .v4(let bytes): IPAddress.v4(bytes).description
        case .v6(let bytes): IPAddress.v6(Array(bytes[0..<8]) + Array(repeating: 0, count: 8)).description + "/64"
        }
    }
}
