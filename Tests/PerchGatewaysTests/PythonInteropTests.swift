import Crypto
import Foundation
import PerchCore
import PerchGateways
import Testing

/// What Perch produces, checked by independent implementations: `http_ece` decrypts Perch's aes128gcm bodies,
/// `py_vapid` and `cryptography` verify its VAPID headers.
@Suite("Interop with Python's http_ece and py_vapid")
struct PythonInteropTests {
    static let decryptScript = #"""
    import sys, json, base64, http_ece
    from cryptography.hazmat.primitives.asymmetric import ec
    def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    j = json.load(sys.stdin)
    key = ec.derive_private_key(int.from_bytes(b64(j["private"]), "big"), ec.SECP256R1())
    plain = http_ece.decrypt(b64(j["body"]), private_key=key, auth_secret=b64(j["auth"]), version="aes128gcm")
    sys.stdout.write(plain.decode("utf-8"))
    """#

    static let vapidScript = #"""
    import sys, json, base64, time
    import py_vapid
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils
    def b64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    j = json.load(sys.stdin)
    header = j["authorization"]
    assert header.startswith("vapid t="), "scheme"
    t, k = header[len("vapid t="):].split(", k=")
    # py_vapid's parser splits on the last space, so it reads the RFC 8292 form without the space after the comma.
    assert py_vapid.Vapid02.verify("vapid t=" + t + ",k=" + k), "py_vapid rejected the header"
    # And independently with cryptography: ES256 over the signing input, raw r||s.
    head, claims, sig = t.split(".")
    pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64(k))
    r, s = int.from_bytes(b64(sig)[:32], "big"), int.from_bytes(b64(sig)[32:], "big")
    pub.verify(utils.encode_dss_signature(r, s), (head + "." + claims).encode(), ec.ECDSA(hashes.SHA256()))
    h = json.loads(b64(head)); c = json.loads(b64(claims))
    assert h == {"typ": "JWT", "alg": "ES256"}, h
    assert c["aud"] == j["aud"], c
    assert c["sub"] == j["sub"], c
    assert time.time() < c["exp"] <= time.time() + 24 * 3600, c
    print("verified")
    """#

    @Test("http_ece decrypts a message Perch encrypted with a fresh ephemeral key")
    func httpEceDecrypts() throws {
        let receiver = P256.KeyAgreement.PrivateKey()
        let auth = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let message = PushMessage(title: "Hello", body: "From Perch ☕", data: ["n": 1], url: "https://example.com/x")
        let rendered = try message.renderWebPush()
        let body = try WebPushEncryption.encrypt(
            rendered.plaintext, userAgentPublicKey: receiver.publicKey.x963Representation, authSecret: auth)
        let decrypted = try PythonPeer.run(Self.decryptScript, input: [
            "body": body.b64url, "private": receiver.rawRepresentation.b64url, "auth": auth.b64url,
        ])
        #expect(decrypted == String(decoding: rendered.plaintext, as: UTF8.self))
    }

    @Test("http_ece decrypts the largest plaintext (3993 bytes)")
    func httpEceDecryptsLargest() throws {
        let receiver = P256.KeyAgreement.PrivateKey()
        let auth = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
        let plaintext = String(repeating: "w", count: 3993)
        let body = try WebPushEncryption.encrypt(
            Data(plaintext.utf8), userAgentPublicKey: receiver.publicKey.x963Representation, authSecret: auth)
        let decrypted = try PythonPeer.run(Self.decryptScript, input: [
            "body": body.b64url, "private": receiver.rawRepresentation.b64url, "auth": auth.b64url,
        ])
        #expect(decrypted == plaintext)
    }

    @Test("py_vapid and cryptography verify Perch's VAPID Authorization header")
    func pyVapidVerifies() throws {
        let key = VAPIDKey.generate()
        let token = try key.token(
            audience: "https://push.example.net", expiresAt: Date().addingTimeInterval(12 * 3600), subject: "mailto:ops@example.com")
        let result = try PythonPeer.run(Self.vapidScript, input: [
            "authorization": key.authorization(token: token), "aud": "https://push.example.net", "sub": "mailto:ops@example.com",
        ])
        #expect(result == "verified")
    }

    @Test("py_vapid rejects a header whose token was signed by another key")
    func pyVapidRejectsForeignKey() throws {
        let signer = VAPIDKey.generate(), other = VAPIDKey.generate()
        let token = try signer.token(audience: "https://push.example.net", expiresAt: Date().addingTimeInterval(3600), subject: "mailto:a@b.c")
        #expect(throws: PythonPeer.Failure.self) {
            try PythonPeer.run(Self.vapidScript, input: [
                "authorization": other.authorization(token: token), "aud": "https://push.example.net", "sub": "mailto:a@b.c",
            ])
        }
    }
}
