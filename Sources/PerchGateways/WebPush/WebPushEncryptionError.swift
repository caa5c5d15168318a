/// Why a Web Push message could not be encrypted. A message error: the token is not touched.
public struct WebPushEncryptionError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case invalidPublicKey, invalidAuthSecret, invalidSalt, plaintextTooLarge, encryptionFailed
    }

    private let code: Code

    /// `p256dh` is not an uncompressed P-256 point.
    public static let invalidPublicKey = Self(code: .invalidPublicKey)
    /// `auth` is not 16 bytes.
    public static let invalidAuthSecret = Self(code: .invalidAuthSecret)
    /// An injected salt is not 16 bytes.
    public static let invalidSalt = Self(code: .invalidSalt)
    /// The plaintext exceeds 3993 bytes.
    public static let plaintextTooLarge = Self(code: .plaintextTooLarge)
    /// AES-GCM failed.
    public static let encryptionFailed = Self(code: .encryptionFailed)

    public var description: String {
        switch code {
        case .invalidPublicKey: "the subscription's p256dh is not an uncompressed P-256 public key"
        case .invalidAuthSecret: "the subscription's auth secret is not 16 bytes"
        case .invalidSalt: "the salt is not 16 bytes"
        case .plaintextTooLarge: "the plaintext exceeds 3993 bytes"
        case .encryptionFailed: "AES-GCM encryption failed"
        }
    }
}
