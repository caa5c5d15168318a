import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchCore
import PerchStore

/// The dashboard at `/`: server-rendered HTML pages over the same store calls and views as the API
/// (docs/dashboard.md). No CDN, no front-end build; charts are inline SVG; one small script of Perch's own adds live counts,
/// previews and progress to pages that work without it.
///
/// Pages need a session (``DashboardSession``), opened by signing in with the app's secret key; without one they
/// redirect (303) to `/signin`. Each section of a page names the API call its numbers equal (`data-api`) and each
/// number the field it shows (`data-metric`, a `/`-separated path into that call's JSON), so tests can compare.
public struct Dashboard: Sendable {
    let api: PerchAPI
    let signingKey: SymmetricKey
    /// The address users reach the server at (`PERCH_PUBLIC_URL`); when https, session cookies are always `Secure`.
    let publicURL: URL?

    /// - Parameters:
    ///   - api: the API whose store, clock and views the pages use.
    ///   - signingKey: signs session cookies; every process over the same database must use the same one
    ///     (``DashboardSession/signingKey(masterKey:)``).
    ///   - publicURL: the server's public address, if known.
    public init(api: PerchAPI, signingKey: SymmetricKey, publicURL: URL? = nil) {
        self.api = api
        self.signingKey = signingKey
        self.publicURL = publicURL
    }

    /// The session signing key of a master key: what `perch serve` passes to ``init(api:signingKey:)``.
    public static func signingKey(masterKey: SymmetricKey) -> SymmetricKey {
        DashboardSession.signingKey(masterKey: masterKey)
    }

    var store: any PerchStore { api.store }
    var now: Date { api.now() }

    /// Adds the pages (`/`, `/campaigns`, `/campaigns/new`, `/campaigns/{id}`, `/segments`, `/users`), sign-in and sign-out, the
    /// stylesheet and the script.
    public func addRoutes(to router: Router<PerchRequestContext>) {
        router.get("/dashboard/style.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DashboardLayout.stylesheet)))
        }
        addSignInRoutes(to: router)
        addTokenHealthRoutes(to: router)
        router.get("/dashboard/dashboard.js") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/javascript; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: DashboardScript.source)))
        }
        addCampaignRoutes(to: router)
        addComposerRoutes(to: router)
        addSegmentRoutes(to: router)
        addUserRoutes(to: router)
    }

    /// The signed-in app of the request: a cookie signed with our key, not expired, whose session the store holds open
    /// (not signed out, not ended by a key rotation) and whose key digest still belongs to that app as its secret key.
    /// `nil` otherwise.
    func session(of request: Request) async throws -> DashboardSession? {
        let now = self.now
        guard let value = request.cookies[DashboardSession.cookieName]?.value,
              let session = DashboardSession.verify(value, key: signingKey, now: now)
        else { return nil }
        guard case .app(session.appId, .secret)? = try await store.principal(forKeyDigest: session.keyDigest, now: now),
              try await store.isDashboardSessionOpen(idDigest: session.idDigest, now: now)
        else { return nil }
        return session
    }

    /// Runs `page` for a signed-in request, or redirects to the sign-in page.
    func signedIn(_ request: Request, _ page: (DashboardSession, AppRecord) async throws -> Response) async throws -> Response {
        guard let session = try await session(of: request), let app = try await store.app(id: session.appId) else {
            return Self.redirect(to: "/signin")
        }
        return try await page(session, app)
    }

    /// A page: HTML, never cached, framed by nobody, loading nothing but Perch's own stylesheet.
    static func html(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
        // Same-origin: no page address leaks to other sites, while the pages' own form posts keep their Origin
        // (with no-referrer, Chromium sends `Origin: null`, which ``isSameOrigin(_:)`` refuses).
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// 303 See Other: after a form post, and to the sign-in page.
    static func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Whether the request reached the server over TLS: directly (an `https` URI) or through a proxy that says so
    /// (`X-Forwarded-Proto: https`, `Forwarded: proto=https`). Trusting the header can only add `Secure` to a cookie.
    static func cameOverTLS(_ request: Request) -> Bool {
        if request.head.scheme?.lowercased() == "https" || request.uri.scheme == .https { return true }
        if let proto = request.headers[HTTPField.Name("X-Forwarded-Proto")!], proto.lowercased().split(separator: ",").first?
            .trimmingCharacters(in: .whitespaces) == "https" { return true }
        if let forwarded = request.headers[HTTPField.Name("Forwarded")!]?.lowercased(), forwarded.contains("proto=https") { return true }
        return false
    }

    /// A query parameter, trimmed; `nil` when absent or empty.
    static func parameter(_ request: Request, _ name: String) -> String? {
        guard let value = request.uri.queryParameters[Substring(name)] else { return nil }
        let trimmed = String(value).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }
}
