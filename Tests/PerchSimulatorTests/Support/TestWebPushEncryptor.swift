import Crypto
import Foundation

/// Test-only RFC 8291 sender (an application server's side), so the simulator's decryption is
/// checked against an encryption written separately from it.
enum TestWebPushEncryptor {
    static func encrypt(
        _ plaintext: Data, p256dh: Data, auth: Data,
        senderKey: P256.KeyAgreement.PrivateKey = .init(),
        salt: Data = Data((0..<16).map { _ in UInt8.random(in: 0...255) }),
        recordSize: UInt32 = 4096
    ) throws -> Data {
        let userAgentKey = try P256.KeyAgreement.PublicKey(x963Representation: p256dh)
        let shared = try senderKey.sharedSecretFromKeyAgreement(with: userAgentKey)
        let senderPublic = senderKey.publicKey.x963Representation
        let keyInfo = Data("WebPush: info".utf8) + [0] + p256dh + senderPublic
        let ikm = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: auth, sharedInfo: keyInfo, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        let sealed = try AES.GCM.seal(
            plaintext + [2], using: cek, nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Data($0) }))
        var body = salt
        withUnsafeBytes(of: recordSize.bigEndian) { body.append(contentsOf: $0) }
        body.append(UInt8(senderPublic.count))
        body.append(senderPublic)
        body.append(sealed.ciphertext)
        body.append(sealed.tag)
        return body
    }
}
