import Crypto
import Foundation
import PerchGateways
import Testing
import _CryptoExtras

@Suite("APNs provider token and FCM OAuth assertion")
struct ProviderCredentialTests {
    static func decodeJSON(_ part: Substring) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(b64url: String(part))) as? [String: Any])
    }

    @Test("the APNs provider token is ES256 with {alg, kid} and {iss: teamId, iat}, signed by the .p8 key")
    func apnsToken() throws {
        let key = P256.Signing.PrivateKey()
        let signer = try APNsProviderTokenSigner(teamId: "TEAM123456", keyId: "KEY1234567", privateKeyPEM: key.pemRepresentation)
        let issuedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let token = try signer.token(issuedAt: issuedAt)
        let parts = token.split(separator: ".")
        try #require(parts.count == 3)
        let header = try Self.decodeJSON(parts[0]), claims = try Self.decodeJSON(parts[1])
        #expect(header["alg"] as? String == "ES256")
        #expect(header["kid"] as? String == "KEY1234567")
        #expect(header.count == 2)
        #expect(claims["iss"] as? String == "TEAM123456")
        #expect(claims["iat"] as? Int == 1_800_000_000)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Data(b64url: String(parts[2])))
        #expect(key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)))
    }

    @Test("a .p8 that is not a P-256 key is a configuration error that does not echo the key")
    func badKey() {
        #expect(throws: GatewayConfigurationError.invalidPrivateKey("privateKey")) {
            try APNsProviderTokenSigner(teamId: "T", keyId: "K", privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
        }
        #expect(!"\(GatewayConfigurationError.invalidPrivateKey("privateKey"))".contains("AAAA"))
    }

    @Test("the FCM assertion is RS256 {iss: client_email, scope, aud: token_uri, iat, exp = iat + 3600}")
    func fcmAssertion() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let json = try String(decoding: JSONSerialization.data(withJSONObject: [
            "type": "service_account", "project_id": "perch-demo", "private_key_id": "kid-1",
            "private_key": key.pemRepresentation, "client_email": "sender@perch-demo.iam.gserviceaccount.com",
            "token_uri": "https://127.0.0.1:9/token",
        ]), as: UTF8.self)
        let account = try FCMServiceAccount(json: json)
        #expect(account.projectId == "perch-demo")
        let assertion = try account.assertion(issuedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let parts = assertion.split(separator: ".")
        try #require(parts.count == 3)
        let header = try Self.decodeJSON(parts[0]), claims = try Self.decodeJSON(parts[1])
        #expect(header["alg"] as? String == "RS256")
        #expect(header["kid"] as? String == "kid-1")
        #expect(claims["iss"] as? String == "sender@perch-demo.iam.gserviceaccount.com")
        #expect(claims["scope"] as? String == "https://www.googleapis.com/auth/firebase.messaging")
        #expect(claims["aud"] as? String == "https://127.0.0.1:9/token")
        #expect(claims["iat"] as? Int == 1_800_000_000)
        #expect(claims["exp"] as? Int == 1_800_003_600)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: Data(b64url: String(parts[2])))
        #expect(key.publicKey.isValidSignature(
            signature, for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)), padding: .insecurePKCS1v1_5))
    }

    @Test("a service account missing a field is refused by name")
    func badServiceAccount() {
        #expect(throws: GatewayConfigurationError.invalidServiceAccount("client_email")) {
            try FCMServiceAccount(json: #"{"project_id":"p","private_key":"x"}"#)
        }
    }
}
