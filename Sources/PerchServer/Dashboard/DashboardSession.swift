import Crypto
import Foundation
import PerchCore

/// A signed-in dashboard session, carried entirely by its cookie so that any Perch process over the same database
/// accepts it (no session table, no process memory).
///
/// The cookie value is `base64url(payload) "." base64url(HMAC-SHA256(payload))`, the payload being
/// `v1|appId|expiry (Unix seconds)|key digest`. The HMAC key is derived from the master key with HKDF under its own
/// label (``signingKey(masterKey:)``), so every process given the same master key signs and checks alike, and the
/// key that seals tokens is never used for anything else. The key digest is the SHA-256 of the secret key — the form
/// the database already stores, which cannot be used as a key — so a session ends when its key no longer
/// belongs to the app (revoked or rotated), however long the cookie would have lived.
struct DashboardSession: Sendable, Hashable {
    /// The cookie's name.
    static let cookieName = "perch_session"
    /// How long a session lasts after sign-in: a working day.
    static let lifetime: TimeInterval = 12 * 60 * 60

    var appId: String
    var expiresAt: Date
    /// SHA-256 of the secret key signed in with, hex (``APIKey/digest``).
    var keyDigest: String

    /// The session's signing key: HKDF-SHA256 of the master key with a label of its own.
    static func signingKey(masterKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, salt: Data("perch-v1".utf8), info: Data("perch dashboard sessions".utf8),
                               outputByteCount: 32)
    }

    /// The cookie value, signed with `key`.
    func signed(with key: SymmetricKey) -> String {
        let payload = Data(["v1", appId, String(Int(expiresAt.timeIntervalSince1970.rounded(.down))), keyDigest].joined(separator: "|").utf8)
        let signature = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key))
        return Base64URL.encode(payload) + "." + Base64URL.encode(signature)
    }

    /// The session a cookie value carries, when its signature is `key`'s and it has not expired at `now`; `nil` otherwise.
    /// The signature is checked (in constant time) before anything in the payload is read.
    static func verify(_ value: String, key: SymmetricKey, now: Date) -> DashboardSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(String(parts[0])), let signature = Base64URL.decode(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "v1", !fields[1].isEmpty, let expiry = Int(fields[2]), fields[3].count == 64 else { return nil }
        let session = DashboardSession(appId: String(fields[1]), expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)),
                                       keyDigest: String(fields[3]))
        return session.expiresAt > now ? session : nil
    }
}
