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
            let principal = key.claimedKind == nil ? nil : try await store.principal(forKeyDigest: key.digest)
            switch principal {
            case .app(let appId, .secret)?:
                let session = DashboardSession(appId: appId, expiresAt: now.addingTimeInterval(DashboardSession.lifetime), keyDigest: key.digest)
                var response = Self.redirect(to: "/")
                response.setCookie(Self.cookie(value: session.signed(with: signingKey), maxAge: Int(DashboardSession.lifetime), request: request))
                return response
            case .app(_, .publishable)?:
                return Self.html(SignInPage(message: "That is a publishable key (pk_…), which ships inside apps and cannot open the dashboard. "
                                                + "Sign in with the app's secret key (sk_…).").html, status: .forbidden)
            default:
                return Self.html(SignInPage(message: "That key is not a secret key of any app here. Check it and try again.").html,
                                 status: .unauthorized)
            }
        }

        router.post("/signout") { request, _ in
            var response = Self.redirect(to: "/signin")
            response.setCookie(Self.cookie(value: "", maxAge: 0, request: request))
            return response
        }
    }

    /// The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it, which also
    /// stops cross-site form posts), Path=/, Secure when the request came over TLS, and a bounded lifetime.
    static func cookie(value: String, maxAge: Int, request: Request) -> Cookie {
        Cookie(name: DashboardSession.cookieName, value: value, maxAge: maxAge, path: "/", secure: cameOverTLS(request), httpOnly: true,
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
