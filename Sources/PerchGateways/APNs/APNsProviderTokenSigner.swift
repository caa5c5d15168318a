import Crypto
import Foundation

/// Makes APNs provider tokens: ES256 JWTs with header `{"alg":"ES256","kid":keyId}` and claims
/// `{"iss":teamId,"iat":seconds}`, signed with the `.p8` key.
public struct APNsProviderTokenSigner: Sendable {
    let teamId: String
    let keyId: String
    let key: P256.Signing.PrivateKey

    /// Reads the `.p8` PEM.
    public init(teamId: String, keyId: String, privateKeyPEM: String) throws(GatewayConfigurationError) {
        self.teamId = teamId
        self.keyId = keyId
        do { self.key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM) } catch {
            throw .invalidPrivateKey("privateKey")
        }
    }

    /// A provider token issued at `issuedAt`.
    public func token(issuedAt: Date) throws -> String {
        let header = "{\"alg\":\"ES256\",\"kid\":\(JSONWebToken.quoted(keyId))}"
        let claims = "{\"iss\":\(JSONWebToken.quoted(teamId)),\"iat\":\(Int(issuedAt.timeIntervalSince1970))}"
        return try JSONWebToken.es256(header: header, claims: claims, key: key)
    }
}
