import Crypto
import Foundation
import PerchCore
import _CryptoExtras

/// A compact-serialised JWT (RFC 7519) as a verifier sees it: decoded header and claims, the
/// signing input and the raw signature. Parsing never checks the signature; `isSigned…` does.
struct JSONWebToken {
    let header: [String: Any]
    let claims: [String: Any]
    let signingInput: Data
    let signature: Data

    /// Parses `header.claims.signature`; `nil` when it is not three base64url JSON parts.
    init?(compact: some StringProtocol) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = Base64URL.decode(parts[0]),
            let claimsData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any]
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }

    var algorithm: String? { header["alg"] as? String }

    func string(_ claim: String) -> String? { claims[claim] as? String }

    /// A numeric claim (`iat`, `exp`).
    func number(_ claim: String) -> Double? {
        switch claims[claim] {
        case let value as Int: Double(value)
        case let value as Double: value
        case let value as NSNumber: value.doubleValue
        default: nil
        }
    }

    /// ES256: ECDSA P-256 with SHA-256, the signature as the 64-byte `r || s` of RFC 7518 §3.4.
    func isSignedES256(by key: P256.Signing.PublicKey) -> Bool {
        guard algorithm == "ES256", signature.count == 64,
            let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
        else { return false }
        return key.isValidSignature(ecdsa, for: signingInput)
    }

    /// RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    func isSignedRS256(by key: _RSA.Signing.PublicKey) -> Bool {
        guard algorithm == "RS256" else { return false }
        let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
        return key.isValidSignature(rsa, for: signingInput, padding: .insecurePKCS1v1_5)
    }
}
