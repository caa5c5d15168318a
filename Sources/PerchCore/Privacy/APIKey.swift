import Crypto
import Foundation

/// An API key of the public contract. Only its SHA-256 digest is stored; the key
/// itself is shown once, when the app is created.
public struct APIKey: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// Server-wide (`PERCH_ADMIN_KEY`).
        case admin
        /// Everything for one app (`sk_…`).
        case secret
        /// Safe to ship in a client: registration, identify/logout, consent, events (`pk_…`).
        case publishable
    }

    public let value: String

    public init(value: String) {
        self.value = value
    }

    /// A new random key of the kind: `pk_` or `sk_` and 32 base62 characters (190 bits).
    public static func generate(_ kind: Kind) -> APIKey {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
        let prefix = switch kind {
        case .admin: "ak_"
        case .secret: "sk_"
        case .publishable: "pk_"
        }
        return APIKey(value: prefix + body)
    }

    /// The kind a key's prefix claims; the store decides whether it is real.
    public var claimedKind: Kind? {
        if value.hasPrefix("pk_") { return .publishable }
        if value.hasPrefix("sk_") { return .secret }
        return nil
    }

    /// The stored form: SHA-256 of the key, hex.
    public var digest: String {
        Data(SHA256.hash(data: Data(value.utf8))).hexString
    }

    /// Compares two keys in time independent of where they differ.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let da = Array(SHA256.hash(data: Data(a.utf8)))
        let db = Array(SHA256.hash(data: Data(b.utf8)))
        var difference: UInt8 = 0
        for index in 0..<da.count { difference |= da[index] ^ db[index] }
        return difference == 0
    }
}
