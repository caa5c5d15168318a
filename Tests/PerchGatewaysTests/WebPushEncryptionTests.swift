import Crypto
import Foundation
import PerchGateways
import Testing

/// RFC 8291 §5 and Appendix A: every input pinned, the output compared byte for byte.
@Suite("RFC 8291 Web Push encryption")
struct WebPushEncryptionTests {
    static let plaintext = "When I grow up, I want to be a watermelon"
    static let uaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    static let uaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
    static let authSecret = "BTBZMqHH6r4Tts7J_aSIgg"
    static let asPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
    static let asPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
    static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
    static let header = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
    static let ciphertext = "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ"
    static let body = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"

    func encryptExample() throws -> Data {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: Data(b64url: Self.asPrivate))
        #expect(ephemeral.publicKey.x963Representation == Data(b64url: Self.asPublic))
        return try WebPushEncryption.encrypt(
            Data(Self.plaintext.utf8), userAgentPublicKey: Data(b64url: Self.uaPublic),
            authSecret: Data(b64url: Self.authSecret), ephemeralKey: ephemeral, salt: Data(b64url: Self.salt))
    }

    @Test("Appendix A: the 86-byte header is salt, rs = 4096, idlen = 65 and the sender's public key")
    func header() throws {
        let body = try encryptExample()
        #expect(body.prefix(86) == Data(b64url: Self.header))
        #expect(Array(body[16..<20]) == [0, 0, 0x10, 0])
        #expect(body[20] == 65)
    }

    @Test("Appendix A: the AES-GCM output matches")
    func ciphertext() throws {
        #expect(try encryptExample().dropFirst(86) == Data(b64url: Self.ciphertext))
    }

    @Test("§5: the whole message matches byte for byte")
    func wholeMessage() throws {
        #expect(try encryptExample() == Data(b64url: Self.body))
    }

    @Test("the user agent's private key decrypts it back, ending in the 0x02 delimiter")
    func decryptsWithReceiverKey() throws {
        let body = try encryptExample()
        let receiver = try P256.KeyAgreement.PrivateKey(rawRepresentation: Data(b64url: Self.uaPrivate))
        let senderKey = try P256.KeyAgreement.PublicKey(x963Representation: body[21..<86])
        let secret = try receiver.sharedSecretFromKeyAgreement(with: senderKey)
        var info = Data("WebPush: info\u{0}".utf8)
        info.append(receiver.publicKey.x963Representation)
        info.append(senderKey.x963Representation)
        let ikm = secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: Data(b64url: Self.authSecret), sharedInfo: info, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: body.prefix(16))
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: aes128gcm\u{0}".utf8), outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Data("Content-Encoding: nonce\u{0}".utf8), outputByteCount: 12)
        let record = body.dropFirst(86)
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Data($0) }), ciphertext: record.dropLast(16), tag: record.suffix(16))
        let opened = try AES.GCM.open(box, using: cek)
        #expect(opened.last == 0x02)
        #expect(String(decoding: opened.dropLast(), as: UTF8.self) == Self.plaintext)
    }

    @Test("every message gets a fresh ephemeral key and salt")
    func freshKeys() throws {
        let ua = Data(b64url: Self.uaPublic), auth = Data(b64url: Self.authSecret)
        let first = try WebPushEncryption.encrypt(Data("x".utf8), userAgentPublicKey: ua, authSecret: auth)
        let second = try WebPushEncryption.encrypt(Data("x".utf8), userAgentPublicKey: ua, authSecret: auth)
        #expect(first.prefix(16) != second.prefix(16))
        #expect(first[21..<86] != second[21..<86])
    }

    @Test("a plaintext of 3993 bytes fits one record; 3994 is refused")
    func sizeLimit() throws {
        let ua = Data(b64url: Self.uaPublic), auth = Data(b64url: Self.authSecret)
        let body = try WebPushEncryption.encrypt(Data(count: 3993), userAgentPublicKey: ua, authSecret: auth)
        #expect(body.count == 4096)
        #expect(throws: WebPushEncryptionError.plaintextTooLarge) {
            try WebPushEncryption.encrypt(Data(count: 3994), userAgentPublicKey: ua, authSecret: auth)
        }
    }

    @Test("malformed subscription keys are refused")
    func malformedKeys() {
        #expect(throws: WebPushEncryptionError.invalidPublicKey) {
            try WebPushEncryption.encrypt(Data("x".utf8), userAgentPublicKey: Data(count: 65), authSecret: Data(count: 16))
        }
        #expect(throws: WebPushEncryptionError.invalidAuthSecret) {
            try WebPushEncryption.encrypt(Data("x".utf8), userAgentPublicKey: Data(b64url: Self.uaPublic), authSecret: Data(count: 8))
        }
    }
}
