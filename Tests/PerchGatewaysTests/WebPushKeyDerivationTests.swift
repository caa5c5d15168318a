import Crypto
import Foundation
@testable import PerchGateways
import Testing

/// The written-out key schedule against swift-crypto's own `HKDF`, the way RFC 8291 §3.3–3.4 and RFC 8188 §2.2–2.3
/// spell it, on inputs other than the RFC's example.
@Suite("Web Push key derivation")
struct WebPushKeyDerivationTests {
    @Test("CEK and NONCE match HKDF<SHA256> step by step, for random keys, auth secrets and salts", arguments: 0..<32)
    func matchesHKDF(round: Int) throws {
        let receiver = P256.KeyAgreement.PrivateKey()
        let sender = P256.KeyAgreement.PrivateKey()
        let userAgentPublicKey = receiver.publicKey.x963Representation
        let serverPublicKey = sender.publicKey.x963Representation
        let authSecret = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let secret = try sender.sharedSecretFromKeyAgreement(with: receiver.publicKey)

        let keys = WebPushKeyDerivation(
            sharedSecret: secret, authSecret: authSecret, userAgentPublicKey: userAgentPublicKey,
            applicationServerPublicKey: serverPublicKey, salt: salt)

        var info = Data("WebPush: info\u{0}".utf8)
        info.append(userAgentPublicKey)
        info.append(serverPublicKey)
        let ikm = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: authSecret, sharedInfo: info, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: aes128gcm\u{0}".utf8), outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: nonce\u{0}".utf8), outputByteCount: 12)

        #expect(keys.contentEncryptionKey == cek)
        #expect(Data(keys.nonce) == nonce.withUnsafeBytes { Data($0) })
    }
}
