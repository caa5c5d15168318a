import Crypto
import Foundation
import Testing

@testable import PerchSimulator

@Suite("Web Push decryption (RFC 8291 aes128gcm)")
struct WebPushDecryptionTests {
    /// RFC 8291 Appendix A.
    enum Vector {
        static let plaintext = "When I grow up, I want to be a watermelon"
        static let userAgentPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
        static let userAgentPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        static let authSecret = "BTBZMqHH6r4Tts7J_aSIgg"
        static let body =
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    }

    func rfcKey() throws -> P256.KeyAgreement.PrivateKey {
        try P256.KeyAgreement.PrivateKey(rawRepresentation: #require(TestJWT.base64URLDecode(Vector.userAgentPrivate)))
    }

    @Test("the RFC 8291 Appendix A message decrypts to its plaintext")
    func appendixA() throws {
        let key = try rfcKey()
        #expect(TestJWT.base64URL(key.publicKey.x963Representation) == Vector.userAgentPublic)
        let plaintext = try WebPushDecryption.decrypt(
            #require(TestJWT.base64URLDecode(Vector.body)), userAgentPrivateKey: key,
            authSecret: #require(TestJWT.base64URLDecode(Vector.authSecret)))
        #expect(String(decoding: plaintext, as: UTF8.self) == Vector.plaintext)
    }

    @Test("a flipped ciphertext bit, a wrong auth secret or a wrong key does not decrypt")
    func tampering() throws {
        let key = try rfcKey()
        let auth = try #require(TestJWT.base64URLDecode(Vector.authSecret))
        var body = try #require(TestJWT.base64URLDecode(Vector.body))
        body[body.count - 20] ^= 0x01
        #expect(throws: WebPushDecryptionError.authenticationFailed) {
            try WebPushDecryption.decrypt(body, userAgentPrivateKey: key, authSecret: auth)
        }
        let original = try #require(TestJWT.base64URLDecode(Vector.body))
        #expect(throws: WebPushDecryptionError.authenticationFailed) {
            try WebPushDecryption.decrypt(original, userAgentPrivateKey: key, authSecret: Data(repeating: 7, count: 16))
        }
        #expect(throws: WebPushDecryptionError.authenticationFailed) {
            try WebPushDecryption.decrypt(original, userAgentPrivateKey: .init(), authSecret: auth)
        }
    }

    @Test("a truncated header or a key id of the wrong length is refused")
    func malformedHeader() throws {
        let key = try rfcKey()
        let auth = try #require(TestJWT.base64URLDecode(Vector.authSecret))
        let body = try #require(TestJWT.base64URLDecode(Vector.body))
        #expect(throws: WebPushDecryptionError.truncatedHeader) {
            try WebPushDecryption.decrypt(body.prefix(50), userAgentPrivateKey: key, authSecret: auth)
        }
        var shortKeyID = body
        shortKeyID[20] = 64
        #expect(throws: WebPushDecryptionError.badKeyID) {
            try WebPushDecryption.decrypt(shortKeyID, userAgentPrivateKey: key, authSecret: auth)
        }
    }

    @Test("a message encrypted by the independent test sender round-trips")
    func roundTrip() throws {
        let key = P256.KeyAgreement.PrivateKey()
        let auth = Data((0..<16).map { UInt8($0) })
        let plaintext = Data(#"{"title":"Hi","body":"from the test"}"#.utf8)
        let body = try TestWebPushEncryptor.encrypt(plaintext, p256dh: key.publicKey.x963Representation, auth: auth)
        #expect(body.count == 86 + plaintext.count + 1 + 16)
        #expect(try WebPushDecryption.decrypt(body, userAgentPrivateKey: key, authSecret: auth) == plaintext)
    }
}
