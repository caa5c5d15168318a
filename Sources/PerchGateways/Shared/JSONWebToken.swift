import Crypto
import Foundation
import _CryptoExtras

/// Compact JWS signing for the three credentials Perch makes: the APNs provider token and the VAPID token (ES256),
/// and the FCM OAuth assertion (RS256).
enum JSONWebToken {
    /// `base64url(header).base64url(claims)`, the bytes that are signed.
    static func signingInput(header: String, claims: String) -> String {
        Data(header.utf8).base64URLEncodedString + "." + Data(claims.utf8).base64URLEncodedString
    }

    /// An ES256 token: ECDSA P-256 over SHA-256, the signature as raw `r || s` (RFC 7518 §3.4).
    static func es256(header: String, claims: String, key: P256.Signing.PrivateKey) throws -> String {
        let input = signingInput(header: header, claims: claims)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + signature.rawRepresentation.base64URLEncodedString
    }

    /// An RS256 token: RSASSA-PKCS1-v1_5 over SHA-256 (RFC 7518 §3.3).
    static func rs256(header: String, claims: String, key: _RSA.Signing.PrivateKey) throws -> String {
        let input = signingInput(header: header, claims: claims)
        let signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + signature.rawRepresentation.base64URLEncodedString
    }

    /// A JSON string literal (quoted and escaped) for hand-built headers and claims, whose member order matters.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).flatMap { String(data: $0, encoding: .utf8) } ?? "\"\""
    }
}
