import Crypto
import Foundation

/// RFC 8291 message encryption for Web Push, `Content-Encoding: aes128gcm` (RFC 8188), as one record.
///
/// Each message gets a fresh ephemeral P-256 key and a random 16-byte salt (both injectable so the RFC's
/// Appendix A example can be reproduced). The body is the 86-byte header — salt, record size (4096),
/// key id length (65), the ephemeral public key — followed by AES-128-GCM over the plaintext plus the
/// 0x02 last-record delimiter.
public enum WebPushEncryption {
    /// The record size written in the header.
    public static let recordSize: UInt32 = 4096
    /// The header length: salt (16) + record size (4) + key id length (1) + public key (65).
    public static let headerLength = 86

    /// Encrypts `plaintext` for one subscription.
    ///
    /// - Parameters:
    ///   - userAgentPublicKey: the subscription's `p256dh`, an uncompressed P-256 point (65 bytes).
    ///   - authSecret: the subscription's `auth`, 16 bytes.
    ///   - ephemeralKey: the application server's key for this message; a new one by default.
    ///   - salt: 16 random bytes by default.
    /// - Throws: ``WebPushEncryptionError`` for malformed keys or a plaintext over 3993 bytes.
    public static func encrypt(
        _ plaintext: Data,
        userAgentPublicKey: Data,
        authSecret: Data,
        ephemeralKey: P256.KeyAgreement.PrivateKey = WebPushEncryption.makeEphemeralKey(),
        salt: Data? = nil
    ) throws(WebPushEncryptionError) -> Data {
        guard plaintext.count <= Int(recordSize) - headerLength - 16 - 1 else { throw .plaintextTooLarge }
        guard userAgentPublicKey.count == 65, userAgentPublicKey.first == 0x04,
            let userAgentKey = try? P256.KeyAgreement.PublicKey(x963Representation: userAgentPublicKey)
        else { throw .invalidPublicKey }
        guard authSecret.count == 16 else { throw .invalidAuthSecret }
        let salt = salt ?? Data(SymmetricKey(size: .bits128).withUnsafeBytes { Array($0) })
        guard salt.count == 16 else { throw .invalidSalt }

        let serverPublicKey = ephemeralKey.publicKey.x963Representation
        guard let sharedSecret = try? ephemeralKey.sharedSecretFromKeyAgreement(with: userAgentKey) else {
            throw .invalidPublicKey
        }
        // IKM = HKDF(salt: auth_secret, ikm: ECDH secret, info: "WebPush: info\0" || ua_public || as_public, L: 32)
        var keyInfo = Data("WebPush: info\u{0}".utf8)
        keyInfo.append(userAgentPublicKey)
        keyInfo.append(serverPublicKey)
        let inputKeyMaterial = sharedSecret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: authSecret, sharedInfo: keyInfo, outputByteCount: 32)
        // PRK = HKDF-Extract(salt, IKM); CEK and NONCE expanded from it (RFC 8188 §2.2, §2.3).
        let pseudoRandomKey = HKDF<SHA256>.extract(inputKeyMaterial: inputKeyMaterial, salt: salt)
        let contentKey = HKDF<SHA256>.expand(
            pseudoRandomKey: pseudoRandomKey, info: Data("Content-Encoding: aes128gcm\u{0}".utf8), outputByteCount: 16)
        let nonceBytes = HKDF<SHA256>.expand(
            pseudoRandomKey: pseudoRandomKey, info: Data("Content-Encoding: nonce\u{0}".utf8), outputByteCount: 12)

        var record = plaintext
        record.append(0x02)
        let sealed: AES.GCM.SealedBox
        do {
            let nonce = try AES.GCM.Nonce(data: nonceBytes.withUnsafeBytes { Data($0) })
            sealed = try AES.GCM.seal(record, using: contentKey, nonce: nonce)
        } catch {
            throw .encryptionFailed
        }

        var body = Data(capacity: headerLength + record.count + 16)
        body.append(salt)
        withUnsafeBytes(of: recordSize.bigEndian) { body.append(contentsOf: $0) }
        body.append(UInt8(serverPublicKey.count))
        body.append(serverPublicKey)
        body.append(sealed.ciphertext)
        body.append(sealed.tag)
        return body
    }
}

extension WebPushEncryption {
    /// A fresh ephemeral P-256 key: a 256-bit scalar from the system CSPRNG, imported as the private key.
    ///
    /// Importing a random scalar costs a third of `P256.KeyAgreement.PrivateKey()` in swift-crypto 4.5 on Linux
    /// (one fixed-base multiplication, none of the generic key-generation checks), and key generation is a
    /// third of the cost of each message. A scalar of zero or not below the group order (probability ~2⁻³²) is
    /// rejected by the import and drawn again.
    public static func makeEphemeralKey() -> P256.KeyAgreement.PrivateKey {
        while true {
            let scalar = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
            if let key = try? P256.KeyAgreement.PrivateKey(rawRepresentation: scalar) { return key }
        }
    }
}

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
