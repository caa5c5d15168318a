import Foundation

/// An app's identity secret: the HMAC key its backend signs `userAuth` tokens (HS256) with.
///
/// `is_` and 43 base64url characters (256 random bits). The whole string, as UTF-8, is the HMAC key, so a backend
/// passes it to its JWT library as it is (`jwt.sign(claims, secret)`). Unlike API keys it is stored sealed, not
/// hashed: verifying a signature needs the secret itself.
public struct IdentitySecret: Sendable, Hashable {
    public let value: String

    public init(value: String) {
        self.value = value
    }

    /// A new random secret.
    public static func generate() -> IdentitySecret {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return IdentitySecret(value: "is_" + Base64URL.encode(Data(bytes)))
    }
}
