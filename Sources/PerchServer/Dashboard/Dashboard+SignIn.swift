import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchCore
import PerchStore

extension Dashboard {
    struct SignInForm: Decodable {
        var key: String?
    }

    func addSignInRoutes(to router: Router<PerchRequestContext>) {
        router.get("/signin") { request, _ in
            if try await session(of: request) != nil { return Self.redirect(to: "/") }
            return Self.html(SignInPage(message: nil).html)
        }

        router.post("/signin") { request, _ in
            guard Self.isSameOrigin(request) else { return Self.html(SignInPage(message: "The form came from another site.").html, status: .forbidden) }
            let body = try await request.body.collect(upTo: 8 * 1024)
            let form = (try? URLEncodedFormDecoder().decode(SignInForm.self, from: String(buffer: body))) ?? SignInForm()
            let key = APIKey(value: (form.key ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            guard !key.value.isEmpty else {
                return Self.html(SignInPage(message: "Enter your app's secret key (sk_…).").html, status: .unauthorized)
            }
            let grant = key.claimedKind == nil ? nil : try await store.keyGrant(forDigest: key.digest, now: now)
            switch grant?.principal {
            case .app(let appId, .secret)? where grant?.isCurrent == true:
                let at = now
                let session = DashboardSession(appId: appId, expiresAt: at.addingTimeInterval(DashboardSession.lifetime), keyDigest: key.digest)
                try await store.openDashboardSession(DashboardSessionRecord(idDigest: session.idDigest, appId: appId, keyDigest: key.digest,
                                                                            createdAt: at, expiresAt: session.expiresAt), now: at)
                var response = Self.redirect(to: "/")
                response.setCookie(cookie(value: session.signed(with: signingKey), maxAge: Int(DashboardSession.lifetime), request: request))
                return response
            case .app(_, .secret)?:
                return Self.html(SignInPage(message: "That secret key has been rotated; it still works for API calls until its grace "
                                                + "period ends, but the dashboard needs the app's current secret key.").html, status: .unauthorized)
            case .app(_, .publishable)?:
                return Self.html(SignInPage(message: "That is a publishable key (pk_…), which ships inside apps and cannot open the dashboard. "
                                                + "Sign in with the app's secret key (sk_…).").html, status: .forbidden)
            default:
                return Self.html(SignInPage(message: "That key is not a secret key of any app here. Check it and try again.").html,
                                 status: .unauthorized)
            }
        }

        router.post("/signout") { request, _ in
            // Signing out ends the session in the store, not just in this browser: a copy of the cookie is worthless after.
            // Like every state-changing form it carries the session's CSRF token and comes from this origin; without a
            // session there is nothing to end, and the cookie is cleared.
            if let session = try await session(of: request) {
                return try await signedInPost(request) { _, _, _ in
                    try await store.closeDashboardSession(idDigest: session.idDigest)
                    return signedOut(request)
                }
            }
            return signedOut(request)
        }
    }

    /// To the sign-in page, with the session cookie cleared.
    func signedOut(_ request: Request) -> Response {
        var response = Self.redirect(to: "/signin")
        response.setCookie(cookie(value: "", maxAge: 0, request: request))
        return response
    }

    /// The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it, which also
    /// stops cross-site form posts), Path=/, a bounded lifetime, and Secure when the server's public URL is https or the
    /// request came over TLS — behind a TLS-terminating proxy that drops `X-Forwarded-Proto`, the public URL still says so.
    func cookie(value: String, maxAge: Int, request: Request) -> Cookie {
        let secure = publicURL?.scheme?.lowercased() == "https" || Self.cameOverTLS(request)
        return Cookie(name: DashboardSession.cookieName, value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true,
                      sameSite: .strict)
    }

    /// A form post from this server's own pages: no `Origin` (older browsers, curl) or one naming this host.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority, let url = URL(string: origin), let originHost = url.host else {
            return false
        }
        let originAuthority = url.port.map { "\(originHost):\($0)" } ?? originHost
        return originAuthority.lowercased() == host.lowercased()
    }
}
