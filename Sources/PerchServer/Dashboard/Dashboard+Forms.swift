import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchCore
import PerchStore

/// State-changing requests from the dashboard's own pages: a form post, or a script's JSON request. Each needs the
/// session, a same-origin `Origin` (when the browser sends one) and the session's CSRF token — so another site can
/// neither post a form into a signed-in session nor replay a token from another session.
extension Dashboard {
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// Runs `page` for a signed-in, same-origin form post carrying the session's CSRF token (field `csrf`); redirects to
    /// the sign-in page without a session, and answers 403 to a post from elsewhere.
    func signedInPost(_ request: Request, _ page: (DashboardSession, AppRecord, FormFields) async throws -> Response) async throws -> Response {
        guard let session = try await session(of: request), let app = try await store.app(id: session.appId) else {
            return Self.redirect(to: "/signin")
        }
        let body = try await request.body.collect(upTo: JSONBody.defaultLimit)
        let form = FormFields(String(buffer: body))
        guard Self.isSameOrigin(request), session.acceptsCSRFToken(form["csrf"], key: signingKey) else {
            return Self.html(DashboardLayout.page(title: "Refused", appName: app.name, section: nil,
                                                  body: "<p class=\"error\" data-error=\"csrf\">This form did not come from this dashboard's page "
                                                      + "(a missing or stale form token, or another site). Open the page again and retry.</p>",
                                                  csrf: session.csrfToken(key: signingKey)),
                             status: .forbidden)
        }
        return try await page(session, app, form)
    }

    /// Answers a signed-in script's JSON request (header `X-CSRF-Token`, same origin) with `answer`'s value; errors are the
    /// API's (`{"error": {code, message, field}}`): 401 without a session, 403 from elsewhere, a ``PerchError`` as it says.
    func signedInScript(_ request: Request, _ answer: (DashboardSession, ByteBuffer) async throws -> Response) async throws -> Response {
        guard let session = try await session(of: request) else { throw PerchError(.unauthorized, "signed out: open the dashboard again") }
        guard Self.isSameOrigin(request), session.acceptsCSRFToken(request.headers[Self.csrfHeader], key: signingKey) else {
            throw PerchError(.forbidden, "not from this dashboard's page", field: "X-CSRF-Token")
        }
        var request = request
        let body = try await request.collectBody(upTo: JSONBody.defaultLimit)
        return try await answer(session, body)
    }

    /// The hidden field every state-changing form carries.
    func csrfField(_ session: DashboardSession) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(session.csrfToken(key: signingKey)))\">"
    }
}
