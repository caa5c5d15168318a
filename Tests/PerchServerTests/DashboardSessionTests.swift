import Crypto
import Foundation
import HTTPTypes
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

/// Dashboard sessions end when they should: signing out ends the session itself (a copied cookie is worthless after),
/// a key rotation ends every session opened with the old key, and cookies are Secure when the server is public over https.
@Suite("Dashboard sessions")
struct DashboardSessionTests {
    @Test(arguments: TestBackend.allCases) func signingOutRevokesTheSessionNotJustTheBrowsersCookie(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp("Sign-out App")
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let copied = try #require(visitor.cookie)
            var otherTab = DashboardVisitor(client)
            try await otherTab.signIn(app.secret)
            #expect(try await visitor.get("/").status == .ok)

            let signedOut = try await visitor.signOut()
            #expect(signedOut.status == .seeOther && signedOut.location == "/signin")
            // The old cookie, replayed (a stolen copy, or a browser that ignored Max-Age=0), opens nothing.
            visitor.cookie = copied
            for path in DashboardTests.pages {
                let page = try await visitor.get(path)
                #expect(page.status == .seeOther && page.location == "/signin", "\(path) with the signed-out cookie")
            }
            #expect(try await otherTab.get("/").status == .ok, "another session of the same key is its own")
        }
    }

    @Test(arguments: TestBackend.allCases) func signingOutIsAFormLikeAnyOtherWithTheSessionsCSRFToken(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp("Forged Sign-out App")
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            var other = DashboardVisitor(client)
            try await other.signIn(app.secret)
            let token = try DashboardVisitor.csrf(try await visitor.get("/").html)
            for path in DashboardTests.pages {
                #expect(try await visitor.get(path).html.contains("action=\"/signout\" class=\"signout\"><input type=\"hidden\" name=\"csrf\""),
                        "\(path): the sign-out form carries the token")
            }

            // A page of another site that posts the form: no token, a token of another session, or the right one from elsewhere.
            let forged = [("", HTTPFields()), ("csrf=" + (try DashboardVisitor.csrf(try await other.get("/").html)), HTTPFields()),
                          ("csrf=" + token, [.origin: "https://evil.example"])]
            for (form, headers) in forged {
                let refused = try await visitor.post("/signout", form: form, headers: headers)
                #expect(refused.status == .forbidden && refused.setCookies.isEmpty && refused.html.contains("data-error=\"csrf\""), "\(form)")
                #expect(try await visitor.get("/").status == .ok, "the session is still open after a refused sign-out")
            }

            // Signed out already (no session): the cookie is cleared, nothing else to do.
            let stranger = DashboardVisitor(client)
            let cleared = try await stranger.post("/signout", form: "")
            #expect(cleared.status == .seeOther && cleared.location == "/signin")
            #expect(try await visitor.signOut().status == .seeOther)
            #expect(try await visitor.get("/").status == .seeOther)
        }
    }

    @Test(arguments: TestBackend.allCases) func aKeyRotationEndsTheSessionsOpenedWithTheOldKey(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp("Rotating App")
            let other = try await client.createApp("Other App")
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            var bystander = DashboardVisitor(client)
            try await bystander.signIn(other.secret)
            #expect(try await visitor.get("/campaigns").status == .ok)

            let rotated = try await client.call(.post, "/v1/apps/\(app.id)/keys/rotate", key: app.secret, json: ["graceSeconds": 3600])
            let newSecret = try #require(rotated["secretKey"]?.stringValue)
            #expect(try await visitor.get("/campaigns").status == .seeOther, "the session opened with the old key ended")
            #expect(try await bystander.get("/campaigns").status == .ok, "another app's sessions are untouched")
            // The old key still answers API calls through its grace period, but opens no new dashboard session.
            #expect(try await client.call(.get, "/v1/metrics/tokens", key: app.secret).status == .ok)
            var late = DashboardVisitor(client)
            let refused = try await late.signIn(app.secret)
            #expect(refused.status == .unauthorized && refused.setCookies.isEmpty && refused.html.contains("rotated"))
            let fresh = try await late.signIn(newSecret)
            #expect(fresh.status == .seeOther && fresh.location == "/")
            #expect(try await late.get("/").status == .ok)
        }
    }

    @Test func cookiesAreSecureWhenThePublicURLIsHTTPS() async throws {
        var server = try TestServer()
        server.publicURL = URL(string: "https://push.example.com")
        try await server.run { client in
            let app = try await client.createApp()
            var visitor = DashboardVisitor(client)
            let signedIn = try await visitor.signIn(app.secret)
            // A proxy that terminated TLS without saying so: the public URL still makes the cookie Secure.
            #expect(signedIn.setCookies.first?.lowercased().contains("; secure") == true, "\(signedIn.setCookies)")
            let signedOut = try await visitor.signOut()
            #expect(signedOut.setCookies.first?.lowercased().contains("; secure") == true)
        }
    }

    @Test(arguments: TestBackend.allCases) func theDashboardShowsWhetherIdentityVerificationIsOn(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            #expect(try await visitor.get("/").html.contains("<strong data-identity-verification>required</strong>"))
            _ = try await client.call(.patch, "/v1/apps/\(app.id)", key: app.secret, json: ["identityVerification": "off"])
            let page = try await visitor.get("/").html
            #expect(page.contains("<strong data-identity-verification>off</strong>") && page.contains("role=\"alert\""))
        }
    }
}
