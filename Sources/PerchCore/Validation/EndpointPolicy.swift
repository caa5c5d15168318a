import Foundation

/// Where a Web Push endpoint may point. The endpoint is a URL chosen by whoever holds the publishable key, so
/// sending to it is a server-side request forgery vector. An endpoint is accepted when it is
///
/// - `https` on port 443 of a documented push service (``pushServices``: FCM, Mozilla, Apple, Microsoft WNS), or
/// - on a host (and port) the operator allows (``GatewayHostAllowList``, `--allow-gateway-hosts`),
///
/// and, when the app lists `allowedEndpointHosts`, on one of those too: the app's list only narrows.
///
/// Registration checks only this (``checkHost(of:field:)``: no DNS, so it never waits on a resolver). At send time a
/// push service's host is resolved once and every address must be public (``checkResolved(_:field:)``); the sender
/// then connects to the address it checked. Hosts the operator allows skip the address check: the operator vouches
/// for them (tests and the demo list their loopback simulators there).
public struct EndpointPolicy: Sendable, Hashable {
    /// The app's `allowedEndpointHosts`: exact names (`push.example.com`, `127.0.0.1`) or a leading wildcard
    /// (`*.example.com`), case-insensitive. Empty: no narrowing.
    public var allowedHosts: [String]
    /// The operator's hosts beyond the push services.
    public var operatorHosts: GatewayHostAllowList

    public init(allowedHosts: [String] = [], operatorHosts: GatewayHostAllowList = .none) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.operatorHosts = operatorHosts
    }

    /// The push services browsers subscribe to, as host patterns (a leading `*.` matches any subdomain), reached on
    /// port 443: Chrome and other Chromium browsers (FCM), Firefox (Mozilla autopush), Safari (Apple), Edge (WNS).
    /// docs/security.md lists them.
    public static let pushServices = ["fcm.googleapis.com", "*.push.services.mozilla.com", "*.push.apple.com", "*.notify.windows.com"]

    /// Whether `host` is one of the documented push services.
    public static func isPushService(_ host: String) -> Bool {
        let host = normalized(host)
        return pushServices.contains { matches(host, pattern: $0) }
    }

    /// Whether `host` is on the app's allow-list.
    public func allows(host: String) -> Bool {
        let host = Self.normalized(host)
        return allowedHosts.contains { Self.matches(host, pattern: $0) }
    }

    static func matches(_ host: String, pattern: String) -> Bool {
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1 }
        return pattern == host
    }

    static func normalized(_ host: String) -> String {
        var host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    /// Checks where the endpoint points, without touching the network. Returns `true` when the operator allows the
    /// host (no address check at send time), `false` for a push service (its addresses are checked at send time).
    public func checkHost(of url: URL, field: String) throws(PerchError) -> Bool {
        guard let host = url.host, !host.isEmpty else { throw .invalid(field, "the endpoint has no host") }
        guard url.scheme?.lowercased() == "https" else {
            throw PerchError(.forbiddenEndpoint, "the endpoint must be an https URL", field: field)
        }
        let port = url.port ?? 443
        if !allowedHosts.isEmpty, !allows(host: host) {
            throw PerchError(.forbiddenEndpoint, "the endpoint host is not in the app's allowedEndpointHosts", field: field)
        }
        if operatorHosts.allows(host: host, port: port) { return true }
        if IPAddress(host) != nil {
            throw PerchError(.forbiddenEndpoint, "the endpoint host must be a push service's name, not an IP address", field: field)
        }
        guard Self.isPushService(host) else {
            throw PerchError(.forbiddenEndpoint,
                             "the endpoint is not on a known push service (FCM, Mozilla, Apple, Microsoft); the operator can allow other hosts with --allow-gateway-hosts",
                             field: field)
        }
        guard port == 443 else {
            throw PerchError(.forbiddenEndpoint, "push services are reached on port 443", field: field)
        }
        return false
    }

    /// Checks the addresses a push service's host resolved to: every one must be public.
    public func checkResolved(_ addresses: [IPAddress], field: String) throws(PerchError) {
        guard !addresses.isEmpty else {
            throw PerchError(.forbiddenEndpoint, "the endpoint host does not resolve", field: field)
        }
        for address in addresses {
            if let range = Self.forbiddenRange(of: address) {
                throw PerchError(.forbiddenEndpoint, "the endpoint host resolves to a \(range.rawValue) address", field: field)
            }
        }
    }

    /// The ranges Perch refuses to send to.
    public enum ForbiddenRange: String, Sendable, Hashable {
        case loopback, privateNetwork = "private", linkLocal = "link-local", carrierGradeNAT = "cgnat"
        case multicast, unspecified, cloudMetadata = "cloud-metadata", reserved, broadcast
    }

    /// The forbidden range an address falls in, or `nil` for a public address.
    public static func forbiddenRange(of address: IPAddress) -> ForbiddenRange? {
        switch address {
        case .v4(let b):
            return forbiddenRangeV4(b)
        case .v6(let b):
            // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible/NAT64 forms are judged as the IPv4 address.
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF { return forbiddenRangeV4(Array(b[12...])) }
            if b[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return forbiddenRangeV4(Array(b[12...])) }
            if b.allSatisfy({ $0 == 0 }) { return .unspecified }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return .loopback }
            if b[0..<12].allSatisfy({ $0 == 0 }) { return .reserved }                       // IPv4-compatible, deprecated
            if b[0] == 0xFF { return .multicast }                                            // ff00::/8
            if b[0] == 0xFE && (b[1] & 0xC0) == 0x80 { return .linkLocal }                   // fe80::/10
            if b[0] == 0xFE && (b[1] & 0xC0) == 0xC0 { return .privateNetwork }              // fec0::/10 site-local
            if b[0] == 0xFD && b[1] == 0x00 && b[2] == 0x0E && b[3] == 0xC2 { return .cloudMetadata } // fd00:ec2::/32 (AWS)
            if (b[0] & 0xFE) == 0xFC { return .privateNetwork }                              // fc00::/7 ULA
            if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8 { return .reserved } // 2001:db8::/32 documentation
            if b[0] == 0x01 && b[1...7].allSatisfy({ $0 == 0 }) { return .reserved }         // 100::/64 discard
            return nil
        }
    }

    private static func forbiddenRangeV4(_ b: [UInt8]) -> ForbiddenRange? {
        switch (b[0], b[1]) {
        case (0, _): return .unspecified                                   // 0.0.0.0/8
        case (10, _): return .privateNetwork
        case (100, 64...127):
            return b[2] == 100 && b[3] == 200 && b[1] == 100 ? .cloudMetadata : .carrierGradeNAT  // 100.100.100.200 (Alibaba)
        case (127, _): return .loopback
        case (169, 254): return b[2] == 169 && b[3] == 254 ? .cloudMetadata : .linkLocal
        case (172, 16...31): return .privateNetwork
        case (192, 0) where b[2] == 0: return .reserved                   // 192.0.0.0/24 IETF
        case (192, 0) where b[2] == 2: return .reserved                   // TEST-NET-1
        case (192, 168): return .privateNetwork
        case (198, 18...19): return .reserved                             // benchmarking
        case (198, 51) where b[2] == 100: return .reserved                // TEST-NET-2
        case (203, 0) where b[2] == 113: return .reserved                 // TEST-NET-3
        case (224...239, _): return .multicast
        case (255, 255) where b[2] == 255 && b[3] == 255: return .broadcast
        case (240...255, _): return .reserved
        default: return nil
        }
    }
}
