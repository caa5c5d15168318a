import Crypto
import Foundation

/// The content-encryption key and nonce of one `aes128gcm` record: RFC 8291 §3.3–3.4 feeding RFC 8188 §2.2–2.3.
///
/// Every input has a fixed size and every HKDF output fits one SHA-256 block, so the three HKDF steps are five
/// HMAC-SHA-256 computations, written here over the concrete `SHA256`. swift-crypto's `HKDF` and `HMAC` are
/// generic and not inlinable: each call resolved generic metadata at run time and allocated a `SecureBytes` per
/// step, which cost as much as the hashing itself (about 11 µs of the 79 µs a message took).
struct WebPushKeyDerivation {
    /// CEK, 16 bytes.
    let contentEncryptionKey: SymmetricKey
    /// NONCE, 12 bytes; the record is the first (and only), so its sequence number XORs nothing in.
    let nonce: AES.GCM.Nonce

    private static let keyInfoLabel = Array("WebPush: info\u{0}".utf8)
    private static let contentKeyInfo = Array("Content-Encoding: aes128gcm\u{0}\u{1}".utf8)
    private static let nonceInfo = Array("Content-Encoding: nonce\u{0}\u{1}".utf8)
    private static let firstBlock: [UInt8] = [1]

    /// - Parameters:
    ///   - sharedSecret: the ECDH secret between the ephemeral key and `p256dh`.
    ///   - authSecret: the subscription's `auth`, 16 bytes.
    ///   - userAgentPublicKey: `p256dh`, 65 bytes.
    ///   - applicationServerPublicKey: the ephemeral public key, 65 bytes.
    ///   - salt: the record's salt, 16 bytes.
    init(
        sharedSecret: SharedSecret, authSecret: Data, userAgentPublicKey: Data, applicationServerPublicKey: Data,
        salt: Data
    ) {
        // RFC 8291 §3.3: PRK_key = HKDF-Extract(auth_secret, ecdh_secret);
        // IKM = HKDF-Expand(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public, 32).
        let keyPRK = authSecret.withUnsafeBytes { key in
            Self.authenticationCode(key: key) { hash in sharedSecret.withUnsafeBytes { hash.update(bufferPointer: $0) } }
        }
        let inputKeyMaterial = keyPRK.withUnsafeBytes { key in
            Self.authenticationCode(key: key) { hash in
                Self.keyInfoLabel.withUnsafeBytes { hash.update(bufferPointer: $0) }
                userAgentPublicKey.withUnsafeBytes { hash.update(bufferPointer: $0) }
                applicationServerPublicKey.withUnsafeBytes { hash.update(bufferPointer: $0) }
                Self.firstBlock.withUnsafeBytes { hash.update(bufferPointer: $0) }
            }
        }
        // RFC 8188 §2.2–2.3: PRK = HKDF-Extract(salt, IKM); CEK and NONCE are the first 16 and 12 bytes of one
        // HKDF-Expand block each.
        let pseudoRandomKey = salt.withUnsafeBytes { key in
            Self.authenticationCode(key: key) { hash in inputKeyMaterial.withUnsafeBytes { hash.update(bufferPointer: $0) } }
        }
        let (contentKeyBlock, nonceBlock) = pseudoRandomKey.withUnsafeBytes { key in
            (
                Self.authenticationCode(key: key) { hash in Self.contentKeyInfo.withUnsafeBytes { hash.update(bufferPointer: $0) } },
                Self.authenticationCode(key: key) { hash in Self.nonceInfo.withUnsafeBytes { hash.update(bufferPointer: $0) } }
            )
        }
        contentEncryptionKey = contentKeyBlock.withUnsafeBytes { SymmetricKey(data: UnsafeRawBufferPointer(rebasing: $0.prefix(16))) }
        // A 12-byte nonce is always accepted.
        nonce = nonceBlock.withUnsafeBytes { try! AES.GCM.Nonce(data: UnsafeRawBufferPointer(rebasing: $0.prefix(12))) }
    }

    /// HMAC-SHA-256 (RFC 2104) with a key of at most one block (64 bytes), so the key is only zero-padded.
    private static func authenticationCode(
        key: UnsafeRawBufferPointer, message: (inout SHA256) -> Void
    ) -> SHA256Digest {
        precondition(key.count <= 64, "HMAC keys here are at most 32 bytes")
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { pad in
            pad.initialize(repeating: 0x36)
            for index in key.indices { pad[index] = key[index] ^ 0x36 }
            var inner = SHA256()
            inner.update(bufferPointer: UnsafeRawBufferPointer(pad))
            message(&inner)
            let innerDigest = inner.finalize()

            for index in pad.indices { pad[index] ^= 0x36 ^ 0x5C }
            var outer = SHA256()
            outer.update(bufferPointer: UnsafeRawBufferPointer(pad))
            innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
            // The padded key is secret; don't leave it on the stack.
            pad.update(repeating: 0)
            return outer.finalize()
        }
    }
}
