import Crypto
import Foundation

/// What an app's backend does after its own sign-in: mint `userAuth`, an HS256 JWT over `{sub, exp}` with the app's
/// identity secret. Written out by hand (not with the server's JWT library) so the test also shows that any standard
/// HS256 implementation interoperates.
enum BackendUserAuth {
    static func mint(userId: String, secret: String, expiresIn: TimeInterval = 600) -> String {
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = try! JSONSerialization.data(withJSONObject: ["sub": userId, "exp": Int(Date().timeIntervalSince1970 + expiresIn)])
        let input = header + "." + base64URL(claims)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(Data(signature))
    }
}
