import Crypto
import Foundation

/// Keeps personal data unreadable at rest: tokens and credentials are sealed with
/// AES-256-GCM, and tokens are found again through an HMAC-SHA256 blind index, so the
/// database never holds a raw token and equality lookups still work.
///
/// Both keys are derived from the one master key with HKDF, each with its own label,
/// so the index key cannot decrypt and the encryption key cannot be probed by lookups.
public struct TokenVault: Sendable {
    private let sealingKey: SymmetricKey
    private let indexKey: SymmetricKey

    /// - Parameter masterKey: 32 bytes of key material.
    public init(masterKey: SymmetricKey) {
        let salt = Data("perch-v1".utf8)
        sealingKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, salt: salt, info: Data("perch token sealing".utf8), outputByteCount: 32)
        indexKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, salt: salt, info: Data("perch blind index".utf8), outputByteCount: 32)
    }

    /// Parses a master key given as 64 hex characters or base64 of 32 bytes.
    public static func masterKey(from text: String) throws(PerchError) -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.count == 64, let bytes = Data(hex: trimmed) {
            return SymmetricKey(data: bytes)
        }
        if let bytes = Data(base64Encoded: trimmed) ?? Base64URL.decode(trimmed), bytes.count == 32 {
            return SymmetricKey(data: bytes)
        }
        throw PerchError(.invalidField, "the master key must be 32 bytes, as 64 hex characters or base64", field: "PERCH_MASTER_KEY")
    }

    /// The lookup key for a token's identity within one app.
    public func blindIndex(appId: String, platform: Platform, identity: String) -> Data {
        var message = Data(appId.utf8)
        message.append(0)
        message.append(contentsOf: platform.rawValue.utf8)
        message.append(0)
        message.append(contentsOf: identity.utf8)
        return Data(HMAC<SHA256>.authenticationCode(for: message, using: indexKey))
    }

    /// Seals `plaintext`, binding it to `context` (for tokens: the app id) so a sealed
    /// value copied to another app's row does not open there.
    public func seal(_ plaintext: Data, context: String) throws -> Data {
        guard let combined = try AES.GCM.seal(plaintext, using: sealingKey, authenticating: Data(context.utf8)).combined else {
            throw PerchError(.internalError, "sealing failed")
        }
        return combined
    }

    public func open(_ sealed: Data, context: String) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: sealingKey, authenticating: Data(context.utf8))
    }
}

extension Data {
    /// Bytes from a hex string; `nil` when it is not hex of even length.
    public init?(hex: String) {
        guard hex.utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.utf8.count / 2)
        var iterator = hex.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = Self.nibble(high), let l = Self.nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        self.init(bytes)
    }

    /// Lower-case hex of the bytes.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
