import Foundation

/// Where a Web Push endpoint may point. The endpoint is a URL chosen by whoever
/// calls the API, so sending to it is a server-side request forgery vector: Perch
/// refuses IP literals and hosts resolving to non-public addresses unless the app
/// lists the host in `allowedEndpointHosts` (tests and the demo list `127.0.0.1`).
///
/// The policy is pure; the caller resolves the host and hands the addresses in,
/// at registration and again at send time (DNS can change in between).
public struct EndpointPolicy: Sendable, Hashable {
    /// Hosts the app allows regardless of address: exact names (`push.example.com`,
    /// `127.0.0.1`) or a leading wildcard (`*.example.com`). Case-insensitive.
    public var allowedHosts: [String]

    public init(allowedHosts: [String] = []) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
    }

    /// The ranges Perch refuses to send to.
    public enum ForbiddenRange: String, Sendable, Hashable {
        case loopback, privateNetwork = "private", linkLocal = "link-local", carrierGradeNAT = "cgnat"
        case multicast, unspecified, cloudMetadata = "cloud-metadata", reserved, broadcast
    }

    /// Whether `host` is on the app's allow-list.
    public func allows(host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return allowedHosts.contains { pattern in
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) && host.count > pattern.count - 1 }
            return pattern == host
        }
    }

    /// Checks the URL's host before resolution: allow-listed, or a name (not an IP literal).
    /// Returns `true` when no resolution is needed because the host is allow-listed.
    public func checkHost(of url: URL, field: String) throws(PerchError) -> Bool {
        guard let host = url.host, !host.isEmpty else { throw .invalid(field, "the endpoint has no host") }
        if allows(host: host) { return true }
        if IPAddress(host) != nil {
            throw PerchError(.forbiddenEndpoint, "the endpoint host must be a name, not an IP address", field: field)
        }
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered.hasSuffix(".localhost") || lowered.hasSuffix(".local") || lowered.hasSuffix(".internal") {
            throw PerchError(.forbiddenEndpoint, "the endpoint host is a local name", field: field)
        }
        return false
    }

    /// Checks the addresses the host resolved to: every one must be public.
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
