import Foundation
import Hummingbird
import PerchCore
import PerchStore
import Synchronization

/// Reads `Authorization: Bearer <key>` (or, on `/api/push` only, the key as the HTTP Basic password) and sets
/// ``PerchRequestContext/principal``.
/// Routes then state the scope they need with ``PerchRequestContext/appId(requiring:)``.
///
/// Keys are looked up by their SHA-256 digest (the only form stored) and compared in
/// constant time; known digests are cached for a few seconds so a request rarely costs a database read,
/// while a key rotated or revoked by any process over the same database stops working within that time.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = PerchRequestContext

    let store: any AppStore
    let adminKey: String?
    let cache: PrincipalCache
    let now: @Sendable () -> Date

    public init(store: any AppStore, adminKey: String?, cache: PrincipalCache = PrincipalCache(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.adminKey = adminKey.flatMap { $0.isEmpty ? nil : $0 }
        self.cache = cache
        self.now = now
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard let key = Self.key(fromAuthorization: header, basicAllowed: Self.acceptsBasic(path: request.uri.path)),
                  !key.isEmpty
            else {
                throw PerchError(.unauthorized, "use Authorization: Bearer <key>")
            }
            context.principal = try await principal(for: key)
            guard context.principal != nil else { throw PerchError(.unauthorized, "unknown API key") }
        }
        return try await next(request, context)
    }

    /// HTTP Basic is for gorush clients only, so only their route takes it. A browser replays Basic credentials it
    /// once saw on its own, on any request to the host — a cross-site form could then act with the key; Bearer
    /// is never sent without the page's code setting it.
    static func acceptsBasic(path: String) -> Bool {
        path == "/api/push" || path == "/api/push/"
    }

    /// The key of `Bearer <key>`, or — where `basicAllowed` — the password of HTTP Basic (`Basic base64(user:key)`,
    /// any user name), so clients that only speak Basic — gorush clients given `https://app:sk_…@host/api/push` —
    /// can authenticate.
    static func key(fromAuthorization header: String, basicAllowed: Bool) -> String? {
        let lowered = header.lowercased()
        if lowered.hasPrefix("bearer ") { return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard basicAllowed, lowered.hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let credentials = String(data: decoded, encoding: .utf8), let colon = credentials.firstIndex(of: ":")
        else { return nil }
        return String(credentials[credentials.index(after: colon)...])
    }

    private func principal(for key: String) async throws -> Principal? {
        if let adminKey, APIKey.constantTimeEquals(adminKey, key) { return .admin }
        let apiKey = APIKey(value: key)
        guard apiKey.claimedKind != nil else { return nil }
        let digest = apiKey.digest
        let at = self.now()
        if let cached = cache.lookup(digest, now: at) { return cached }
        guard let grant = try await store.keyGrant(forDigest: digest, now: at) else { return nil }
        cache.insert(digest, grant, now: at)
        return grant.principal
    }
}

/// Known key digests and whom they belong to, each for at most ``maximumAge`` and never past the end of a rotated
/// key's grace period. Only hits are kept, so random keys cannot grow it; the age bound is what makes a rotation or
/// revocation done by another process take effect here within seconds.
public final class PrincipalCache: Sendable {
    /// How long a looked-up key is trusted without asking the store again.
    public static let maximumAge: TimeInterval = 3

    private struct Entry {
        var principal: Principal
        var validUntil: Date
    }
    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    func lookup(_ digest: String, now: Date) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard entry.validUntil > now else {
                entries[digest] = nil
                return nil
            }
            return entry.principal
        }
    }

    func insert(_ digest: String, _ grant: KeyGrant, now: Date) {
        var validUntil = now.addingTimeInterval(Self.maximumAge)
        if let expiresAt = grant.expiresAt { validUntil = min(validUntil, expiresAt) }
        entries.withLock { entries in
            // Expired entries of keys nobody uses any more would otherwise stay for the process's life.
            if entries.count >= 4096 { entries = entries.filter { $0.value.validUntil > now } }
            entries[digest] = Entry(principal: grant.principal, validUntil: validUntil)
        }
    }

    /// Drops every cached key of the app, so a rotation takes effect on this process at once.
    func forget(appId: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.principal.appId != appId } }
    }
}

/// The scope a route needs.
public enum KeyScope: Sendable {
    /// Publishable or secret key of the app.
    case publishable
    /// The app's secret key.
    case secret
}

extension PerchRequestContext {
    /// The calling app's id when its key has `scope`; 401 without a key, 403 with too weak a key.
    public func appId(requiring scope: KeyScope) throws -> String {
        switch principal {
        case nil:
            throw PerchError(.unauthorized, "this route needs an API key (Authorization: Bearer <key>)")
        case .admin:
            throw PerchError(.forbidden, "the admin key manages apps; use the app's \(scope == .secret ? "secret" : "publishable or secret") key")
        case .app(let id, let kind):
            if scope == .secret, kind != .secret {
                throw PerchError(.forbidden, "this route needs the app's secret key")
            }
            return id
        }
    }

    /// The kind of app key the caller used (after ``appId(requiring:)`` passed): what decides whether a binding needs proof.
    public var keyKind: APIKey.Kind {
        switch principal {
        case .app(_, let kind)?: kind
        case .admin?: .admin
        case nil: .publishable
        }
    }

    /// Checks the caller may act on `appId` from the path: its own secret key, or the admin key.
    /// Another app's key gets 404, as if the app did not exist.
    public func requireApp(_ appId: String) throws {
        switch principal {
        case nil: throw PerchError(.unauthorized, "this route needs an API key (Authorization: Bearer <key>)")
        case .admin: return
        case .app(let id, let kind):
            guard id == appId else { throw PerchError.notFound("app") }
            guard kind == .secret else { throw PerchError(.forbidden, "this route needs the app's secret key") }
        }
    }

    public func requireAdmin() throws {
        guard let principal else { throw PerchError(.unauthorized, "this route needs the admin key") }
        guard principal == .admin else { throw PerchError(.forbidden, "this route needs the admin key") }
    }
}
