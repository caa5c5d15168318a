import Crypto
import Foundation

/// The user agent's half of RFC 8291 (Message Encryption for Web Push) over the RFC 8188
/// `aes128gcm` content coding: what a browser does with a push message it receives.
///
/// Written independently of Perch's gateway so that decrypting here checks the gateway's encryption.
public enum WebPushDecryption {
    /// The fixed part of the `aes128gcm` header: salt (16) + record size (4) + key id length (1).
    static let fixedHeaderLength = 21
    /// An uncompressed P-256 point, the key id RFC 8291 §4 requires.
    static let keyIDLength = 65
    static let tagLength = 16

    /// Decrypts one `aes128gcm` message body.
    ///
    /// - Parameters:
    ///   - body: the HTTP request body: header (salt, rs, idlen, keyid = the sender's ephemeral public key) and records.
    ///   - userAgentPrivateKey: the subscription's private key (its public half is `p256dh`).
    ///   - authSecret: the subscription's 16-byte authentication secret (`auth`).
    /// - Returns: the plaintext with the padding and its delimiter removed.
    /// - Throws: ``WebPushDecryptionError`` when the message is malformed or does not authenticate.
    public static func decrypt(
        _ body: Data,
        userAgentPrivateKey: P256.KeyAgreement.PrivateKey,
        authSecret: Data
    ) throws(WebPushDecryptionError) -> Data {
        let bytes = [UInt8](body)
        guard bytes.count >= fixedHeaderLength else { throw .truncatedHeader }
        let salt = Data(bytes[0..<16])
        let recordSize = bytes[16..<20].reduce(0) { ($0 << 8) | Int($1) }
        let keyIDLength = Int(bytes[20])
        // RFC 8188 §2: rs must exceed the 16-byte tag plus the delimiter.
        guard recordSize >= 18 else { throw .badRecordSize }
        guard keyIDLength == Self.keyIDLength else { throw .badKeyID }
        let headerLength = fixedHeaderLength + keyIDLength
        guard bytes.count > headerLength else { throw .truncatedHeader }
        let senderPublicBytes = Data(bytes[fixedHeaderLength..<headerLength])

        let senderPublicKey: P256.KeyAgreement.PublicKey
        do {
            senderPublicKey = try P256.KeyAgreement.PublicKey(x963Representation: senderPublicBytes)
        } catch {
            throw .badKeyID
        }
        let sharedSecret: SharedSecret
        do {
            sharedSecret = try userAgentPrivateKey.sharedSecretFromKeyAgreement(with: senderPublicKey)
        } catch {
            throw .keyAgreementFailed
        }

        // RFC 8291 §3.4: IKM = HKDF(salt = auth_secret, ikm = ecdh_secret,
        //   info = "WebPush: info" || 0x00 || ua_public || as_public, L = 32).
        var keyInfo = Data("WebPush: info".utf8)
        keyInfo.append(0)
        keyInfo.append(userAgentPrivateKey.publicKey.x963Representation)
        keyInfo.append(senderPublicBytes)
        let ikm = sharedSecret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: authSecret, sharedInfo: keyInfo, outputByteCount: 32)

        // RFC 8188 §2.2/2.3: PRK = HMAC(salt, IKM); CEK and NONCE expanded from it.
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Data("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonceBase = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Data("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12
        ).withUnsafeBytes { [UInt8]($0) }

        var plaintext = Data()
        var offset = headerLength
        var sequence: UInt64 = 0
        while offset < bytes.count {
            let end = min(offset + recordSize, bytes.count)
            let record = bytes[offset..<end]
            let isLast = end == bytes.count
            guard record.count > tagLength else { throw .truncatedRecord }
            let opened = try open(record: record, key: cek, nonceBase: nonceBase, sequence: sequence)
            plaintext.append(try unpad(opened, isLast: isLast))
            offset = end
            sequence += 1
        }
        return plaintext
    }

    private static func open(
        record: ArraySlice<UInt8>, key: SymmetricKey, nonceBase: [UInt8], sequence: UInt64
    ) throws(WebPushDecryptionError) -> [UInt8] {
        // RFC 8188 §2.3: the nonce is NONCE XOR the 96-bit big-endian record sequence number.
        var nonceBytes = nonceBase
        for index in 0..<8 {
            nonceBytes[11 - index] ^= UInt8(truncatingIfNeeded: sequence >> (8 * UInt64(index)))
        }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: nonceBytes),
                ciphertext: record.dropLast(tagLength),
                tag: record.suffix(tagLength))
            return [UInt8](try AES.GCM.open(box, using: key))
        } catch {
            throw .authenticationFailed
        }
    }

    /// RFC 8188 §2: each record's plaintext ends in a delimiter (0x01, or 0x02 in the last record)
    /// followed by any number of 0x00 padding octets.
    private static func unpad(_ record: [UInt8], isLast: Bool) throws(WebPushDecryptionError) -> Data {
        guard let delimiterIndex = record.lastIndex(where: { $0 != 0 }) else { throw .badPadding }
        let expected: UInt8 = isLast ? 2 : 1
        guard record[delimiterIndex] == expected else { throw .badPadding }
        return Data(record[..<delimiterIndex])
    }
}
