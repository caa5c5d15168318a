import Crypto
import Foundation
import PerchCore

extension DashboardSession {
    /// The session's CSRF token: HMAC-SHA256 of the session id under the signing key, base64url. Bound to the session —
    /// another session's token, or one from before a sign-out, does not match — and derived rather than stored, so
    /// every process over the same database checks it alike. Each state-changing form carries it (field `csrf`) and
    /// each script request (header `X-CSRF-Token`); a page cannot read it from another origin.
    func csrfToken(key: SymmetricKey) -> String {
        Base64URL.encode(Data(HMAC<SHA256>.authenticationCode(for: Data(("csrf|" + id).utf8), using: key)))
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    func acceptsCSRFToken(_ token: String?, key: SymmetricKey) -> Bool {
        guard let token, let mac = Base64URL.decode(token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(("csrf|" + id).utf8), using: key)
    }
}
