import Foundation

/// An address or block (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`) of the operator's proxies, whose
/// `X-Forwarded-For` Perch believes (`PERCH_TRUSTED_PROXIES`).
public struct TrustedProxy: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`; `nil` when malformed.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])).map(Self.unmapped) else { return nil }
        let bits = Self.bytes(of: address).count * 8
        var prefix = bits
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...bits).contains(value) else { return nil }
            prefix = value
        }
        self.address = address
        self.prefixLength = prefix
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether `candidate` lies in the block (an IPv4-mapped IPv6 address counts as its IPv4 address).
    public func contains(_ candidate: IPAddress) -> Bool {
        let mine = Self.bytes(of: address), theirs = Self.bytes(of: Self.unmapped(candidate))
        guard mine.count == theirs.count else { return false }
        var left = prefixLength
        for (a, b) in zip(mine, theirs) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }

    /// `::ffff:a.b.c.d` as `a.b.c.d`: a dual-stack listener reports IPv4 peers that way.
    static func unmapped(_ address: IPAddress) -> IPAddress {
        if case .v6(let b) = address, b[0..<10].allSatisfy({ $0 == 0 }), b[10] == 0xFF, b[11] == 0xFF { return .v4(Array(b[12...])) }
        return address
    }

    static func bytes(of address: IPAddress) -> [UInt8] {
        switch address {
        case .v4(let b), .v6(let b): b
        }
    }
}
