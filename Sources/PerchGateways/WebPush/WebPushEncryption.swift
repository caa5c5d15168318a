import Crypto
import Foundation
import PerchCore

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

    /// Encrypts `plaintext` for one subscription with a fresh ephemeral key and a fresh random salt.
    ///
    /// - Parameters:
    ///   - userAgentPublicKey: the subscription's `p256dh`, an uncompressed P-256 point (65 bytes).
    ///   - authSecret: the subscription's `auth`, 16 bytes.
    /// - Throws: ``WebPushEncryptionError`` for malformed keys or a plaintext over 3993 bytes.
    public static func encrypt(
        _ plaintext: Data, userAgentPublicKey: Data, authSecret: Data
    ) throws(WebPushEncryptionError) -> Data {
        // The key's scalar and the salt come from one 48-byte draw: the system generator costs a system call per
        // draw, and `SymmetricKey(size:)` draws 8 bytes at a time (six calls for these two).
        var random: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        let (ephemeralKey, salt) = withUnsafeMutableBytes(of: &random) { bytes in
            systemRandom(bytes.baseAddress!, bytes.count)
            let key = privateKey(scalar: UnsafeRawBufferPointer(rebasing: bytes[..<32])) ?? makeEphemeralKey()
            let salt = Data(bytes[32...])
            bytes.initializeMemory(as: UInt8.self, repeating: 0)
            return (key, salt)
        }
        return try encrypt(
            plaintext, userAgentPublicKey: userAgentPublicKey, authSecret: authSecret, ephemeralKey: ephemeralKey, salt: salt)
    }

    /// Encrypts `plaintext` for one subscription with the given ephemeral key and salt, as RFC 8291's Appendix A does.
    /// Each must be used for one message only: ``encrypt(_:userAgentPublicKey:authSecret:)`` is the one to send with.
    ///
    /// - Parameters:
    ///   - userAgentPublicKey: the subscription's `p256dh`, an uncompressed P-256 point (65 bytes).
    ///   - authSecret: the subscription's `auth`, 16 bytes.
    ///   - ephemeralKey: the application server's key for this message.
    ///   - salt: 16 random bytes.
    /// - Throws: ``WebPushEncryptionError`` for malformed keys or salt, or a plaintext over 3993 bytes.
    public static func encrypt(
        _ plaintext: Data,
        userAgentPublicKey: Data,
        authSecret: Data,
        ephemeralKey: P256.KeyAgreement.PrivateKey,
        salt: Data
    ) throws(WebPushEncryptionError) -> Data {
        guard plaintext.count <= WebPushNotification.plaintextLimit else { throw .plaintextTooLarge }
        guard userAgentPublicKey.count == 65, userAgentPublicKey.first == 0x04,
            let userAgentKey = try? P256.KeyAgreement.PublicKey(x963Representation: userAgentPublicKey)
        else { throw .invalidPublicKey }
        guard authSecret.count == 16 else { throw .invalidAuthSecret }
        guard salt.count == 16 else { throw .invalidSalt }

        let serverPublicKey = ephemeralKey.publicKey.x963Representation
        guard let sharedSecret = try? ephemeralKey.sharedSecretFromKeyAgreement(with: userAgentKey) else {
            throw .invalidPublicKey
        }
        let keys = WebPushKeyDerivation(
            sharedSecret: sharedSecret, authSecret: authSecret, userAgentPublicKey: userAgentPublicKey,
            applicationServerPublicKey: serverPublicKey, salt: salt)

        var record = Data(capacity: plaintext.count + 1)
        record.append(plaintext)
        record.append(0x02)
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(record, using: keys.contentEncryptionKey, nonce: keys.nonce)
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
    /// Importing a random scalar is one fixed-base multiplication: about 8 µs against 80 µs for
    /// `P256.KeyAgreement.PrivateKey()` in swift-crypto 4.5 on Linux, which also runs the FIPS pairwise
    /// consistency check (an ECDSA sign and verify) and redraws until the key is compact-representable. A scalar of
    /// zero or not below the group order (probability ~2⁻³²) is rejected by the import and drawn again.
    public static func makeEphemeralKey() -> P256.KeyAgreement.PrivateKey {
        var scalar: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        defer { scalar = (0, 0, 0, 0) }
        while true {
            let key = withUnsafeMutableBytes(of: &scalar) { bytes in
                systemRandom(bytes.baseAddress!, bytes.count)
                return privateKey(scalar: UnsafeRawBufferPointer(bytes))
            }
            if let key { return key }
        }
    }

    /// The key whose scalar is `scalar` (32 big-endian bytes), or nil when it is zero or not below the group order.
    private static func privateKey(scalar: UnsafeRawBufferPointer) -> P256.KeyAgreement.PrivateKey? {
        try? P256.KeyAgreement.PrivateKey(rawRepresentation: scalar)
    }
}

/// Fills `count` bytes at `buffer` from the system CSPRNG in one call: the Swift runtime's entry point behind
/// `SystemRandomNumberGenerator` (getrandom(2) on Linux, arc4random_buf on Darwin), which the generator itself only
/// offers 8 bytes at a time.
@_silgen_name("swift_stdlib_random")
private func systemRandom(_ buffer: UnsafeMutableRawPointer, _ count: Int)
