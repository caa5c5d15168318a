import Crypto
import Foundation
import PerchGateways
import Testing

@Suite("RFC 8292 VAPID")
struct VAPIDTests {
    // RFC 8292 §2.4, Figure 1 and the key of Figure 2.
    static let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMlMuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA"
    static let key = "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs"

    static func verify(_ token: String, key: String) throws -> Bool {
        let parts = token.split(separator: ".")
        guard parts.count == 3 else { return false }
        let publicKey = try P256.Signing.PublicKey(x963Representation: Data(b64url: key))
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Data(b64url: String(parts[2])))
        return publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8))
    }

    @Test("the RFC's example token verifies with the RFC's key")
    func exampleVerifies() throws {
        #expect(try Self.verify(Self.token, key: Self.key))
        let tampered = Self.token.replacingOccurrences(of: "eyJhdWQiOiJodHRwczovL3B1c2gu", with: "eyJhdWQiOiJodHRwczovL3B1c2ku")
        #expect(try !Self.verify(tampered, key: Self.key))
    }

    @Test("Perch lays out header and claims exactly as the RFC's example")
    func signingInputMatchesExample() {
        let input = VAPIDKey.signingInput(
            audience: "https://push.example.net", expiresAt: Date(timeIntervalSince1970: 1_453_523_768),
            subject: "mailto:push@example.com")
        #expect(input == Self.token.split(separator: ".").prefix(2).joined(separator: "."))
    }

    @Test("Perch's token verifies with the key it sends as k")
    func ownTokenVerifies() throws {
        let key = VAPIDKey.generate()
        let token = try key.token(audience: "https://push.example.net", expiresAt: Date().addingTimeInterval(3600), subject: "mailto:ops@example.com")
        #expect(try Self.verify(token, key: key.publicKeyBase64URL))
        #expect(key.authorization(token: token) == "vapid t=\(token), k=\(key.publicKeyBase64URL)")
        #expect(Data(b64url: key.publicKeyBase64URL).count == 65)
    }

    @Test("a VAPID key reads from base64url raw bytes and from PEM, to the same public key")
    func keyFormats() throws {
        let pem = P256.Signing.PrivateKey().pemRepresentation
        let fromPEM = try VAPIDKey(privateKey: pem)
        let fromRaw = try VAPIDKey(privateKey: fromPEM.privateKeyBase64URL)
        #expect(fromPEM.publicKeyBase64URL == fromRaw.publicKeyBase64URL)
        #expect(throws: GatewayConfigurationError.invalidPrivateKey("vapidPrivateKey")) { try VAPIDKey(privateKey: "not a key") }
    }
}
