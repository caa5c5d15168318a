import Crypto
import Foundation
import PerchCore

/// A signed-in dashboard session: a signed cookie naming the session, checked against the store's record of open
/// sessions, so that any Perch process over the same database accepts it and signing out ends it everywhere.
///
/// The cookie value is `base64url(payload) "." base64url(HMAC-SHA256(payload))`, the payload being
/// `v2|appId|expiry (Unix seconds)|key digest|session id`. The HMAC key is derived from the master key with HKDF under
/// its own label (``signingKey(masterKey:)``), so every process given the same master key signs and checks alike, and
/// the key that seals tokens is never used for anything else. The key digest — the key's version — is the SHA-256 of
/// the secret key signed in with (the form the database stores, which cannot be used as a key), so a session ends when
/// that key no longer belongs to the app. The session id is random; the store keeps only its digest, and deletes the
/// record on sign-out and on a key rotation — so a copied or replayed cookie stops working then, however long it
/// would have lived.
struct DashboardSession: Sendable, Hashable {
    /// The cookie's name.
    static let cookieName = "perch_session"
    /// How long a session lasts after sign-in: a working day.
    static let lifetime: TimeInterval = 12 * 60 * 60

    var appId: String
    var expiresAt: Date
    /// SHA-256 of the secret key signed in with, hex (``APIKey/digest``).
    var keyDigest: String
    /// 256 random bits, base64url.
    var id: String

    init(appId: String, expiresAt: Date, keyDigest: String, id: String = DashboardSession.newId()) {
        self.appId = appId
        self.expiresAt = expiresAt
        self.keyDigest = keyDigest
        self.id = id
    }

    static func newId() -> String {
        Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// What the store keeps of the session id: its SHA-256, so a database read does not yield a usable cookie.
    var idDigest: String { Data(SHA256.hash(data: Data(id.utf8))).hexString }

    /// The session's signing key: HKDF-SHA256 of the master key with a label of its own.
    static func signingKey(masterKey: SymmetricKey) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: masterKey, salt: Data("perch-v1".utf8), info: Data("perch dashboard sessions".utf8),
                               outputByteCount: 32)
    }

    /// The cookie value, signed with `key`.
    func signed(with key: SymmetricKey) -> String {
        let payload = Data(["v2", appId, String(Int(expiresAt.timeIntervalSince1970.rounded(.down))), keyDigest, id].joined(separator: "|").utf8)
        let signature = Data(HMAC<SHA256>.authenticationCode(for: payload, using: key))
        return Base64URL.encode(payload) + "." + Base64URL.encode(signature)
    }

    /// The session a cookie value carries, when its signature is `key`'s and it has not expired at `now`; `nil` otherwise.
    /// The signature is checked (in constant time) before anything in the payload is read. Whether the session is still
    /// open (not signed out, not ended by a rotation) is the store's to say.
    static func verify(_ value: String, key: SymmetricKey, now: Date) -> DashboardSession? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(String(parts[0])), let signature = Base64URL.decode(String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: payload, using: key)
        else { return nil }
        let fields = String(decoding: payload, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "v2", !fields[1].isEmpty, let expiry = Int(fields[2]), fields[3].count == 64,
              fields[4].count == 43
        else { return nil }
        let session = DashboardSession(appId: String(fields[1]), expiresAt: Date(timeIntervalSince1970: TimeInterval(expiry)),
                                       keyDigest: String(fields[3]), id: String(fields[4]))
        return session.expiresAt > now ? session : nil
    }
}
