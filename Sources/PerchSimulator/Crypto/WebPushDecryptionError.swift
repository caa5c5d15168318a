/// Why a Web Push message body did not decrypt. Carries no key material.
public struct WebPushDecryptionError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case truncatedHeader = "the aes128gcm header is truncated"
        case badRecordSize = "the record size is too small"
        case badKeyID = "the key id is not an uncompressed P-256 public key"
        case keyAgreementFailed = "ECDH with the sender's key failed"
        case truncatedRecord = "a record is shorter than its tag"
        case authenticationFailed = "a record did not authenticate (AES-128-GCM)"
        case badPadding = "a record has no valid padding delimiter"
    }

    private let code: Code

    /// The 86-byte header (salt, rs, idlen, keyid) is incomplete.
    public static let truncatedHeader = Self(code: .truncatedHeader)
    /// `rs` is smaller than 18.
    public static let badRecordSize = Self(code: .badRecordSize)
    /// `idlen` is not 65 or the key id is not a valid P-256 point.
    public static let badKeyID = Self(code: .badKeyID)
    /// ECDH failed.
    public static let keyAgreementFailed = Self(code: .keyAgreementFailed)
    /// A record is too short to hold the GCM tag.
    public static let truncatedRecord = Self(code: .truncatedRecord)
    /// AES-128-GCM authentication failed: wrong keys, wrong derivation or tampered bytes.
    public static let authenticationFailed = Self(code: .authenticationFailed)
    /// The plaintext lacks the 0x02 (last record) or 0x01 delimiter.
    public static let badPadding = Self(code: .badPadding)

    public var description: String { code.rawValue }
}
