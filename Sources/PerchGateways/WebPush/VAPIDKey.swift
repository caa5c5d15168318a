import Crypto
import Foundation

/// An application server's VAPID key pair (RFC 8292) and the `Authorization: vapid t=…, k=…` header it signs.
public struct VAPIDKey: Sendable {
    let key: P256.Signing.PrivateKey

    /// Reads a private key: a PEM (`EC PRIVATE KEY` or PKCS#8 `PRIVATE KEY`) or the base64url of the raw
    /// 32-byte scalar, as the `web-push` tools print it.
    public init(privateKey: String) throws(GatewayConfigurationError) {
        let text = privateKey.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("-----BEGIN") {
            guard let key = try? P256.Signing.PrivateKey(pemRepresentation: text) else {
                throw .invalidPrivateKey("vapidPrivateKey")
            }
            self.key = key
        } else {
            guard let raw = Data(base64URLEncoded: text), raw.count == 32,
                let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
            else { throw .invalidPrivateKey("vapidPrivateKey") }
            self.key = key
        }
    }

    init(key: P256.Signing.PrivateKey) {
        self.key = key
    }

    /// A new random key.
    public static func generate() -> VAPIDKey { VAPIDKey(key: P256.Signing.PrivateKey()) }

    /// The private key as base64url of its raw 32 bytes (for storing).
    public var privateKeyBase64URL: String { key.rawRepresentation.base64URLEncodedString }

    /// The public key as base64url of its uncompressed point: the `k` parameter, and the browser's
    /// `applicationServerKey`.
    public var publicKeyBase64URL: String { key.publicKey.x963Representation.base64URLEncodedString }

    /// The JWT's signing input for the given claims: header `{"typ":"JWT","alg":"ES256"}`, claims
    /// `{"aud":…,"exp":…,"sub":…}` in that order (the layout of RFC 8292 §2.4).
    public static func signingInput(audience: String, expiresAt: Date, subject: String) -> String {
        JSONWebToken.signingInput(header: header, claims: claims(audience: audience, expiresAt: expiresAt, subject: subject))
    }

    /// A VAPID JWT for one push service origin.
    public func token(audience: String, expiresAt: Date, subject: String) throws -> String {
        try JSONWebToken.es256(
            header: Self.header, claims: Self.claims(audience: audience, expiresAt: expiresAt, subject: subject), key: key)
    }

    /// The `Authorization` header value for a token made by this key.
    public func authorization(token: String) -> String {
        "vapid t=\(token), k=\(publicKeyBase64URL)"
    }

    static let header = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}"

    static func claims(audience: String, expiresAt: Date, subject: String) -> String {
        "{\"aud\":\(JSONWebToken.quoted(audience)),\"exp\":\(Int(expiresAt.timeIntervalSince1970)),\"sub\":\(JSONWebToken.quoted(subject))}"
    }
}
