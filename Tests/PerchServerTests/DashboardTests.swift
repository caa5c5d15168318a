import Crypto
import Foundation
import HTTPTypes
import PerchCore
import PerchStore
import Synchronization
import PerchTestSupport
import Testing
@testable import PerchServer

/// The dashboard at `/`: sign-in with the app's secret key, a signed session cookie, and pages whose numbers are the API's.
@Suite("Dashboard")
struct DashboardTests {
    typealias Client = TestServer.Client
    typealias App = TestServer.TestApp

    static let pages = ["/", "/campaigns", "/campaigns/cmp_unknown", "/users", "/users?userId=someone", "/?platform=fcm"]

    @Test func everyPageRedirectsToSignInWithoutASession() async throws {
        try await TestServer().run { client in
            _ = try await client.createApp()
            var visitor = DashboardVisitor(client)
            for path in Self.pages {
                let page = try await visitor.get(path)
                #expect(page.status == .seeOther && page.location == "/signin", "\(path): \(page.status)")
            }
            visitor.cookie = "perch_session=not-a-session"
            for path in Self.pages {
                #expect(try await visitor.get(path).status == .seeOther, "\(path) with a made-up cookie")
            }
            let form = try await visitor.get("/signin")
            #expect(form.status == .ok && form.html.contains("<form method=\"post\" action=\"/signin\">") && form.html.contains("name=\"key\""))
            #expect(form.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "the page loads nothing but Perch's stylesheet")
        }
    }

    @Test func aWrongKeyGetsTheFormAgainWith401AndAPublishableKeyCannotSignIn() async throws {
        try await TestServer().run { client in
            let app = try await client.createApp()
            var visitor = DashboardVisitor(client)
            for wrong in ["sk_" + String(repeating: "x", count: 32), "nonsense", TestServer.adminKey, String(app.secret.dropLast())] {
                let page = try await visitor.signIn(wrong)
                #expect(page.status == .unauthorized, "\(wrong.prefix(3))…: \(page.status)")
                #expect(page.html.contains("not a secret key of any app") && page.html.contains("action=\"/signin\""), "the form again, saying why")
                #expect(page.setCookies.isEmpty && !page.html.contains(wrong), "no session, and the key is not echoed")
            }
            #expect(try await visitor.signIn("").status == .unauthorized)
            let crossSite = try await visitor.signIn(app.secret, headers: [.origin: "http://attacker.example"])
            #expect(crossSite.status == .forbidden && crossSite.setCookies.isEmpty, "a form posted from another site signs nobody in")
            let publishable = try await visitor.signIn(app.publishable)
            #expect(publishable.status == .forbidden && publishable.html.contains("publishable key"), "\(publishable.status)")
            #expect(publishable.setCookies.isEmpty && visitor.cookie == nil)
            #expect(try await visitor.get("/").status == .seeOther)
        }
    }

    @Test func signingInSetsAStrictHttpOnlyCookieAndSigningOutEndsIt() async throws {
        try await TestServer().run { client in
            let app = try await client.createApp("Cookie App")
            var visitor = DashboardVisitor(client)
            let signedIn = try await visitor.signIn(app.secret)
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
            let cookie = try #require(signedIn.setCookies.first)
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            #expect(attributes.contains("httponly") && attributes.contains("samesite=strict") && attributes.contains("path=/"), "\(cookie)")
            #expect(attributes.contains("max-age=43200"), "a session lasts 12 hours: \(cookie)")
            #expect(!attributes.contains("secure"), "plain HTTP: a Secure cookie would never come back")
            #expect(!cookie.contains(app.secret), "the cookie does not carry the key")

            let home = try await visitor.get("/")
            #expect(home.status == .ok && home.html.contains("Cookie App") && home.html.contains("data-metric=\"active\""))
            #expect(try await visitor.get("/signin").location == "/", "signed in already")

            // Behind a TLS-terminating proxy the cookie is Secure.
            var tls = DashboardVisitor(client)
            let overTLS = try await tls.signIn(app.secret, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(overTLS.setCookies.first?.lowercased().contains("; secure") == true, "\(overTLS.setCookies)")

            let signedOut = try await visitor.signOut()
            #expect(signedOut.status == .seeOther && signedOut.location == "/signin")
            #expect(signedOut.setCookies.first?.contains("Max-Age=0") == true, "\(signedOut.setCookies)")
            visitor.cookie = "perch_session="
            #expect(try await visitor.get("/").status == .seeOther)
        }
    }

    @Test func aTamperedExpiredForeignOrOrphanedCookieIsRefused() async throws {
        let clock = Mutex(Date())
        var server = try TestServer()
        let key = SymmetricKey(size: .bits256)
        server.dashboardKey = key
        server.now = { clock.withLock { $0 } }
        try await server.run { client in
            let app = try await client.createApp()
            let other = try await client.createApp("Other")
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let good = try #require(visitor.cookie)
            #expect(try await visitor.get("/").status == .ok)

            // One character of the payload changed: the signature no longer holds.
            let value = String(good.dropFirst("perch_session=".count))
            var tampered = Array(value)
            tampered[4] = tampered[4] == "A" ? "B" : "A"
            visitor.cookie = "perch_session=" + String(tampered)
            #expect(try await visitor.get("/").status == .seeOther)

            // Another app's id in a payload signed with another key.
            let foreign = DashboardSession(appId: other.id, expiresAt: Date().addingTimeInterval(3600), keyDigest: APIKey(value: other.secret).digest)
            visitor.cookie = "perch_session=" + foreign.signed(with: SymmetricKey(size: .bits256))
            #expect(try await visitor.get("/").status == .seeOther, "signed with a key this server does not hold")
            // Properly signed, but for a key the app does not have (revoked or rotated), or for its publishable key.
            let orphaned = DashboardSession(appId: app.id, expiresAt: Date().addingTimeInterval(3600), keyDigest: APIKey(value: "sk_gone").digest)
            visitor.cookie = "perch_session=" + orphaned.signed(with: key)
            #expect(try await visitor.get("/").status == .seeOther, "the key it was opened with no longer belongs to the app")
            let publishable = DashboardSession(appId: app.id, expiresAt: Date().addingTimeInterval(3600), keyDigest: APIKey(value: app.publishable).digest)
            visitor.cookie = "perch_session=" + publishable.signed(with: key)
            #expect(try await visitor.get("/").status == .seeOther)
            // Another app's secret digest under this app's id.
            let swapped = DashboardSession(appId: app.id, expiresAt: Date().addingTimeInterval(3600), keyDigest: APIKey(value: other.secret).digest)
            visitor.cookie = "perch_session=" + swapped.signed(with: key)
            #expect(try await visitor.get("/").status == .seeOther)

            // The genuine cookie works until its 12 hours are over.
            visitor.cookie = good
            clock.withLock { $0 = $0.addingTimeInterval(11 * 3600) }
            #expect(try await visitor.get("/campaigns").status == .ok)
            clock.withLock { $0 = $0.addingTimeInterval(2 * 3600) }
            #expect(try await visitor.get("/campaigns").status == .seeOther, "expired")
        }
    }

    @Test func aSessionOpenedOnOneProcessHoldsOnAnotherWithTheSameMasterKey() async throws {
        let master = SymmetricKey(data: Data(repeating: 7, count: 32))
        var server = try TestServer()
        server.dashboardKey = Dashboard.signingKey(masterKey: master)
        let opened = Mutex<(cookie: String?, app: App?)>((nil, nil))
        try await server.run { client in
            let app = try await client.createApp("Shared")
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            opened.withLock { $0 = (visitor.cookie, app) }
        }
        let cookie = try #require(opened.withLock { $0.cookie })
        // A second server over the same database: nothing of the first one's memory, the key derived again.
        var second = server
        second.dashboardKey = Dashboard.signingKey(masterKey: SymmetricKey(data: Data(repeating: 7, count: 32)))
        try await second.run { client in
            var visitor = DashboardVisitor(client)
            visitor.cookie = cookie
            let page = try await visitor.get("/")
            #expect(page.status == .ok && page.html.contains("Shared"))
        }
        var otherMaster = server
        otherMaster.dashboardKey = Dashboard.signingKey(masterKey: SymmetricKey(data: Data(repeating: 8, count: 32)))
        try await otherMaster.run { client in
            var visitor = DashboardVisitor(client)
            visitor.cookie = cookie
            let page = try await visitor.get("/")
            #expect(page.status == .seeOther, "another master key signs other sessions")
        }
    }

    /// Six tokens with known answers: u1 holds two FCM tokens (a duplicate), u2 one FCM and one APNs token, two
    /// anonymous APNs installs of which one unregistered; four prompted, three granted.
    static func seedPopulation(_ client: Client, _ app: App) async throws -> [String] {
        var tokens: [String] = []
        func register(_ body: [String: JSONValue]) async throws {
            let answer = try await client.call(.post, "/v1/tokens", key: app.publishable, json: app.proving(.object(body)))
            #expect(answer.status == .created, "\(answer.json)")
        }
        for (index, user) in [(1, "u1"), (2, "u1"), (3, "u2")] {
            tokens.append(Tokens.fcm(7_770 + index))
            try await register(["platform": "fcm", "token": .string(tokens.last!), "installationId": .string("i\(index)"), "userId": .string(user),
                                "appVersion": "2.1.0"])
        }
        for (index, user) in [(4, "u2"), (5, nil), (6, nil)] as [(Int, String?)] {
            tokens.append(Tokens.apns(7_770 + index))
            var body: [String: JSONValue] = ["platform": "apns", "token": .string(tokens.last!), "environment": "production",
                                             "installationId": .string("i\(index)"), "appVersion": "2.0.0"]
            if let user { body["userId"] = .string(user) }
            try await register(body)
        }
        #expect(try await client.call(.delete, "/v1/installations/i6", key: app.publishable).status == .ok)
        var events: [JSONValue] = (1...4).map { ["type": "prompt_shown", "installationId": .string("i\($0)")] }
        events += (1...3).map { ["type": "permission_granted", "installationId": .string("i\($0)")] }
        let stored = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": .array(events)])
        #expect(stored.status == .ok, "\(stored.json)")
        _ = try await client.call(.put, "/v1/users/u1", key: app.secret, json: ["attributes": ["note": "<script>alert('x')</script>"]])
        return tokens
    }

    @Test func tokenHealthShowsTheAPIsNumbersForEachFilter() async throws {
        try await TestServer().run { client in
            let app = try await client.createApp()
            let tokens = try await Self.seedPopulation(client, app)
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)

            let page = try await visitor.get("/")
            #expect(page.status == .ok)
            let numbers = DashboardNumbers(html: page.html)
            // The known answers.
            #expect(numbers.value("active") == "5" && numbers.value("total") == "6")
            #expect(numbers.value("validityRate").flatMap(Double.init) == 5.0 / 6.0)
            #expect(numbers.value("staleShare") == "0" && numbers.value("optIn/rate") == "0.75")
            #expect(numbers.value("tokensPerUser") == "2" && numbers.value("duplicateTokenRate") == "0.5")
            #expect(numbers.value("usersWithLiveTokens") == "2" && numbers.value("byStatus/revoked") == "1")
            #expect(numbers.value("retirementsByReason/revoked:unregistered") == "1")
            #expect(numbers.metrics.first { $0.path == "validityRate" }?.shown == "83.3%", "what a person reads")
            // And every number on the page is the API's.
            let compared = try await numbers.expectEqualToAPI(client, key: app.secret)
            #expect(compared > 40, "growth, survival and opt-in are on the page too: \(compared)")
            #expect(page.html.contains("<svg") && page.html.contains("<title>Live tokens at the end of each day"))

            let fcm = DashboardNumbers(html: try await visitor.get("/?platform=fcm&appVersion=2.1.0&days=7").html)
            #expect(fcm.metrics.contains { $0.api == "/v1/metrics/tokens?platform=fcm&appVersion=2.1.0" })
            #expect(fcm.value("active") == "3" && fcm.value("duplicateTokenRate") == "0.5")
            try await fcm.expectEqualToAPI(client, key: app.secret)

            let bad = try await visitor.get("/?platform=pager")
            #expect(bad.status == .badRequest && bad.html.contains("platform must be one of"))
            for token in tokens { #expect(!page.html.contains(token) && !bad.html.contains(token)) }
        }
    }

    @Test func userLookupShowsInstallationsStatusesAndConsentButNeverATokenAndEscapesWhatClientsSent() async throws {
        try await TestServer().run { client in
            let app = try await client.createApp()
            let tokens = try await Self.seedPopulation(client, app)
            _ = try await client.call(.put, "/v1/installations/i1/consent", key: app.publishable, json: ["status": "granted", "source": "prompt"])
            _ = try await client.call(.put, "/v1/installations/i1/consent", key: app.publishable, json: ["status": "revoked", "source": "settings"])
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)

            let user = try await visitor.get("/users?userId=u1")
            #expect(user.status == .ok)
            let numbers = DashboardNumbers(html: user.html)
            #expect(numbers.metrics.contains { $0.api == "/v1/users/u1" } && numbers.metrics.contains { $0.api == "/v1/installations/i2" })
            #expect(numbers.metrics.filter { $0.api == "/v1/installations/i1" }.map(\.path).contains("consentHistory/1/status"))
            #expect(numbers.metrics.first { $0.api == "/v1/installations/i1" && $0.path == "consentHistory/1/status" }?.value == "revoked")
            try await numbers.expectEqualToAPI(client, key: app.secret)
            #expect(!user.html.contains("<script>alert") && user.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
                    "what a client sent is shown, never run")

            let installation = try await visitor.get("/users?installationId=i6")
            let installed = DashboardNumbers(html: installation.html)
            #expect(installed.value("status") == "revoked" && installed.value("statusReason") == "unregistered")
            try await installed.expectEqualToAPI(client, key: app.secret)

            #expect(try await visitor.get("/users?userId=nobody").status == .notFound)
            for page in [user, installation] {
                for token in tokens { #expect(!page.html.contains(token), "no raw token on the page") }
            }
        }
    }

    @Test func campaignPagesShowTheReportsFunnelVariantsLiftAndDeliveries() async throws {
        try await SendAPITests.withSending { client, simulator, endpoints, app in
            try await CampaignAPITests.connectAll(client, app, endpoints)
            var tokens: [String] = []
            for index in 0..<24 {
                tokens.append(Tokens.fcm(5_500 + index))
                try await CampaignAPITests.register(client, app, ["platform": "fcm", "token": .string(tokens.last!), "installationId": .string("d\(index)"),
                                                                  "userId": .string("buyer-\(index)"), "consent": "granted"])
            }
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Dashboard <sale>", "audience": ["filter": "known"], "message": ["title": "t", "body": "b"], "holdoutPercent": 25,
                "variants": [["name": "A", "weight": 1, "message": ["title": "A", "body": "a"]], ["name": "B", "weight": 1, "message": ["title": "B", "body": "b"]]]])
            let id = try #require(created["id"]?.stringValue, "\(created.json)")
            _ = try await client.call(.post, "/v1/campaigns/\(id)/send", key: app.secret)
            _ = try await CampaignAPITests.wait(client, app, id, for: "completed")
            let pushes = simulator.received(platform: .fcm)
            var events: [JSONValue] = []
            for (offset, push) in pushes.prefix(6).enumerated() {
                guard let message = JSONValue(jsonText: String(decoding: push.body, as: UTF8.self))?.objectValue,
                      let delivery = message["data"]?.objectValue?["perchDeliveryId"]?.stringValue,
                      let index = tokens.firstIndex(of: push.token) else { continue }
                events.append(["type": "received", "installationId": .string("d\(index)"), "deliveryId": .string(delivery)])
                if offset < 3 { events.append(["type": "opened", "installationId": .string("d\(index)"), "deliveryId": .string(delivery)]) }
                if offset < 2 { events.append(["type": "converted", "installationId": .string("d\(index)"), "deliveryId": .string(delivery), "value": 20, "currency": "EUR"]) }
            }
            let stored = try await client.call(.post, "/v1/events", key: app.publishable, json: ["events": .array(events)])
            #expect(stored["stored"] == .integer(11), "\(stored.json)")

            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let list = try await visitor.get("/campaigns")
            #expect(list.status == .ok && list.html.contains("Dashboard &lt;sale&gt;") && !list.html.contains("Dashboard <sale>"))
            let listed = DashboardNumbers(html: list.html)
            #expect(listed.metrics.contains { $0.api == "/v1/campaigns/\(id)" && $0.path == "status" && $0.value == "completed" })
            try await listed.expectEqualToAPI(client, key: app.secret)

            let report = try await visitor.get("/campaigns/\(id)")
            #expect(report.status == .ok)
            let numbers = DashboardNumbers(html: report.html)
            let heldOut = (0..<24).filter { Assignment.isHeldOut(campaignId: id, person: "user:buyer-\($0)", holdoutPercent: 25) }.count
            #expect(numbers.value("funnel/attempted") == String(24 - heldOut) && numbers.value("funnel/delivered") == "6")
            #expect(numbers.value("funnel/opened") == "3" && numbers.value("funnel/converted") == "2" && numbers.value("funnel/revenue") == "40",
                    "\(numbers.metrics.filter { $0.path.hasPrefix("funnel/") }.map { "\($0.path)=\($0.value)" })")
            #expect(numbers.value("lift/holdoutPeople") == String(heldOut))
            #expect(numbers.value("lift/reading")?.isEmpty == false && numbers.value("variants/1/funnel/attempted") != nil)
            let compared = try await numbers.expectEqualToAPI(client, key: app.secret)
            #expect(compared > 30, "\(compared)")
            #expect(try await visitor.get("/campaigns/cmp_nope").status == .notFound)

            let user = try await visitor.get("/users?userId=buyer-0")
            let deliveries = DashboardNumbers(html: user.html)
            #expect(deliveries.metrics.contains { $0.api == "/v1/campaigns/\(id)/explain?installationId=d0" && $0.path == "decisions/0/state" })
            try await deliveries.expectEqualToAPI(client, key: app.secret)
            for page in [list, report, user] {
                for token in tokens { #expect(!page.html.contains(token), "no raw token on any page") }
            }
        }
    }
}
