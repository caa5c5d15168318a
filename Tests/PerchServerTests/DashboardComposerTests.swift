import Foundation
import HTTPTypes
import NIOCore
import PerchTestSupport
import Testing
import PerchCore
@testable import PerchServer

/// The dashboard's segments, composer, dry run, send, cancel and explain, over HTTP as a browser posts them: every
/// state-changing request needs the session's CSRF token and a same-origin `Origin`; forms are refused by the API's own
/// rules with the error next to the field the API names; the dry-run page shows the API's numbers. Both backends.
@Suite("Dashboard composer")
struct DashboardComposerTests {
    static func form(_ fields: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    /// A script's JSON request from the page: the session cookie and, when given, the CSRF header.
    static func script(_ visitor: DashboardVisitor, _ path: String, json: JSONValue, csrf: String?, origin: String? = nil) async throws -> Answer {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let cookie = visitor.cookie { headers[.cookie] = cookie }
        if let csrf { headers[Dashboard.csrfHeader] = csrf }
        if let origin { headers[.origin] = origin }
        return try await visitor.client.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json.jsonText)) { response in
            Answer(status: response.status, headers: response.headers, json: JSONValue(jsonText: String(buffer: response.body)) ?? .null)
        }
    }

    @Test(arguments: TestBackend.allCases) func segmentsAreSavedWithTheParsersErrorAtItsPositionAndCountedLive(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            try await DryRunAPITests.population(client, app)
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let page = try await visitor.get("/segments/new")
            #expect(page.status == .ok && page.html.contains("name=\"filter\"") && page.html.contains("href=\"/segments\" aria-current=\"page\""))
            let csrf = try DashboardVisitor.csrf(page.html)

            let forged = try await visitor.post("/segments/new", form: Self.form([("name", "Phones"), ("filter", "platform == \"apns\"")]))
            #expect(forged.status == .forbidden, "no CSRF token")
            let stale = try await visitor.post("/segments/new", form: Self.form([("csrf", "AAAA"), ("name", "Phones"), ("filter", "platform == \"apns\"")]))
            #expect(stale.status == .forbidden, "another token")
            let crossSite = try await visitor.post("/segments/new", form: Self.form([("csrf", csrf), ("name", "Phones"), ("filter", "platform == \"apns\"")]),
                                                   headers: [.origin: "https://evil.example"])
            #expect(crossSite.status == .forbidden, "another origin")
            var other = DashboardVisitor(client)
            try await other.signIn(app.secret)
            let otherSession = try await other.post("/segments/new", form: Self.form([("csrf", csrf), ("name", "Phones"), ("filter", "platform == \"apns\"")]))
            #expect(otherSession.status == .forbidden, "a token is bound to its session")
            #expect(try await client.call(.get, "/v1/segments", key: app.secret)["segments"] == [], "nothing refused was saved")

            let broken = try await visitor.post("/segments/new", form: Self.form([("csrf", csrf), ("name", "Phones"), ("filter", "platform == ")]))
            #expect(broken.status == .badRequest && broken.html.contains("data-error=\"filter\" data-position=\"12\""), "\(broken.html)")
            let nameless = try await visitor.post("/segments/new", form: Self.form([("csrf", csrf), ("name", ""), ("filter", "platform == \"apns\"")]))
            #expect(nameless.status == .badRequest && nameless.html.contains("data-error=\"name\""))

            let saved = try await visitor.post("/segments/new", form: Self.form([("csrf", csrf), ("name", "Phones"), ("filter", "platform == \"apns\"")]))
            #expect(saved.status == .seeOther)
            let segments = try await client.call(.get, "/v1/segments", key: app.secret)["segments"]?.arrayValue ?? []
            let id = try #require(segments.first?.objectValue?["id"]?.stringValue)
            #expect(saved.location == "/segments/\(id)?saved=1")
            let edit = try await visitor.get("/segments/\(id)")
            let numbers = DashboardNumbers(html: edit.html)
            #expect(numbers.value("installations") == "10" && numbers.value("people") == "10", "counted when drawn")

            let edited = try await visitor.post("/segments/\(id)", form: Self.form([("csrf", csrf), ("name", "Tablets"), ("filter", "platform == \"fcm\"")]))
            #expect(edited.status == .seeOther)
            #expect(try await client.call(.get, "/v1/segments/\(id)", key: app.secret)["filter"] == "platform == \"fcm\"")
            #expect(try await visitor.get("/segments").html.contains("Tablets"))

            // The live count: the API's numbers, or the parse error's position; never without the token.
            let live = try await Self.script(visitor, "/dashboard/preview/segment", json: ["filter": "known"], csrf: csrf)
            let api = try await client.call(.post, "/v1/segments/preview", key: app.secret, json: ["filter": "known"])
            #expect(live.status == .ok && live.json == api.json && live["installations"] == 20 && live["people"] == 10, "\(live.json)")
            let liveError = try await Self.script(visitor, "/dashboard/preview/segment", json: ["filter": "known and"], csrf: csrf)
            #expect(liveError.status == .badRequest && liveError["error"]?.objectValue?["position"] == 9 && liveError["error"]?.objectValue?["field"] == "filter",
                    "\(liveError.json)")
            #expect(try await Self.script(visitor, "/dashboard/preview/segment", json: ["filter": "known"], csrf: nil).status == .forbidden)
            #expect(try await Self.script(visitor, "/dashboard/preview/segment", json: ["filter": "known"], csrf: csrf, origin: "https://evil.example").status == .forbidden)
            #expect(try await Self.script(DashboardVisitor(client), "/dashboard/preview/segment", json: ["filter": "known"], csrf: csrf).status == .unauthorized)
        }
    }

    @Test(arguments: TestBackend.allCases) func theComposerRefusesWhatTheAPIRefusesWithTheSameField(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let csrf = try DashboardVisitor.csrf(try await visitor.get("/campaigns/new").html)
            let base: [(String, String)] = [("csrf", csrf), ("action", "save"), ("name", "Spring"), ("audience.filter", "known"),
                                            ("message.title", "Hi"), ("message.body", "Spring is here")]
            // Each broken form, and the JSON the API is sent for it: the same field named by both.
            let cases: [(fields: [(String, String)], json: JSONValue, field: String)] = [
                ([("message.title", "Hi {{user.firstName}}")], ["message": ["title": "Hi {{user.firstName}}", "body": "Spring is here"]], "message"),
                ([("variants[0].name", "A"), ("variants[0].weight", "1"), ("variants[1].name", "B"), ("variants[1].weight", "-1")],
                 ["variants": [["name": "A", "weight": 1], ["name": "B", "weight": -1]]], "variants[1].weight"),
                ([("holdoutPercent", "95")], ["holdoutPercent": 95], "holdoutPercent"),
                ([("frequencyCap[0].limit", "2"), ("frequencyCap[0].windowSeconds", "5")], ["frequencyCap": [["limit": 2, "windowSeconds": 5]]],
                 "frequencyCap[0].windowSeconds"),
                ([("frequencyCap[0].limit", "3"), ("frequencyCap[0].windowSeconds", "86400"), ("frequencyCap[1].limit", "0"),
                  ("frequencyCap[1].windowSeconds", "604800")],
                 ["frequencyCap": [["limit": 3, "windowSeconds": 86400], ["limit": 0, "windowSeconds": 604800]]], "frequencyCap[1].limit"),
                ([("schedule.localTime", "25:00")], ["schedule": ["localTime": "25:00"]], "schedule.localTime"),
                ([("audience.userIds", "alice")], ["audience": ["filter": "known", "userIds": ["alice"]]], "audience"),
                ([("ttlSeconds", "-5")], ["ttlSeconds": -5], "ttlSeconds"),
            ]
            for (fields, json, field) in cases {
                var body: [String: JSONValue] = ["name": "Spring", "audience": ["filter": "known"], "message": ["title": "Hi", "body": "Spring is here"]]
                for (key, value) in json.objectValue ?? [:] { body[key] = value }
                let api = try await client.call(.post, "/v1/campaigns", key: app.secret, json: .object(body))
                #expect(api.status == .badRequest && api.errorField == field, "API: \(api.json)")
                let merged = base.filter { name, _ in !fields.contains { $0.0 == name } } + fields
                let page = try await visitor.post("/campaigns/new", form: Self.form(merged))
                #expect(page.status == .badRequest && page.html.contains("data-error=\"\(field)\""), "form for \(field): \(page.html.prefix(300))")
            }
            let broken = try await visitor.post("/campaigns/new", form: Self.form(base + [("message.data", "[1, 2]")]))
            #expect(broken.status == .badRequest && broken.html.contains("data-error=\"message.data\""))
            #expect(try await client.call(.get, "/v1/campaigns", key: app.secret)["campaigns"] == [], "nothing refused was saved")
            // The form's values come back for correction.
            let again = try await visitor.post("/campaigns/new", form: Self.form(base + [("holdoutPercent", "95")]))
            #expect(again.html.contains("value=\"95\"") && again.html.contains("Spring is here"))
        }
    }

    @Test(arguments: TestBackend.allCases) func aDraftIsDryRunSentCancelledAndExplainedFromTheDashboard(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            try await DryRunAPITests.population(client, app)
            _ = try await client.call(.put, "/v1/users/user-3", key: app.secret, json: ["attributes": ["firstName": "Dana"]])
            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let composer = try await visitor.get("/campaigns/new?audience.filter=known")
            #expect(composer.html.contains("data-action=\"dry-run\"") && composer.html.contains("data-action=\"send\""))
            let csrf = try DashboardVisitor.csrf(composer.html)
            let tomorrow = CampaignForm.localInput(Date().addingTimeInterval(86_400))
            let fields: [(String, String)] = [
                ("csrf", csrf), ("action", "dry-run"), ("name", "Spring"), ("audience.filter", "known"),
                ("message.title", "Hi {{user.firstName | default: \"there\"}}"), ("message.body", "Spring is here"),
                ("variants[0].name", "Plain"), ("variants[0].weight", "1"), ("variants[1].name", "Bold"), ("variants[1].weight", "2"),
                ("variants[1].message.title", "SPRING"), ("variants[1].message.body", "is here!"), ("holdoutPercent", "25"),
                ("frequencyCap[0].limit", "3"), ("frequencyCap[0].windowSeconds", "86400"), ("frequencyCap[1].limit", "10"),
                ("frequencyCap[1].windowSeconds", "604800"), ("quietHours.start", "22:00"), ("quietHours.end", "07:00"),
                ("devicePolicy", "latestPerPlatform"), ("schedule.at", tomorrow), ("ttlSeconds", "3600"),
            ]
            let saved = try await visitor.post("/campaigns/new", form: Self.form(fields))
            #expect(saved.status == .seeOther, "\(saved.html)")
            let campaigns = try await client.call(.get, "/v1/campaigns", key: app.secret)["campaigns"]?.arrayValue ?? []
            let stored = try #require(campaigns.first?.objectValue)
            let id = try #require(stored["id"]?.stringValue)
            #expect(saved.location == "/campaigns/\(id)/dry-run")
            #expect(stored["status"] == "draft")
            let definition = stored["definition"]?.objectValue ?? [:]
            #expect(definition["holdoutPercent"] == 25 && definition["devicePolicy"] == "latestPerPlatform" && definition["ttlSeconds"] == 3600)
            #expect(definition["variants"]?.arrayValue?.count == 2 && definition["quietHours"]?.objectValue?["start"] == "22:00")
            #expect(definition["frequencyCap"] == [["limit": 3, "windowSeconds": 86400], ["limit": 10, "windowSeconds": 604800]], "every cap row is a cap")

            // The dry-run page shows the API's dry run, number for number, and offers the send with its count.
            let dryRunPage = try await visitor.get("/campaigns/\(id)/dry-run")
            let api = try await client.call(.post, "/v1/campaigns/\(id)/dry-run", key: app.secret)
            let numbers = DashboardNumbers(html: dryRunPage.html).metrics.filter { $0.api == "/v1/campaigns/\(id)/dry-run" }
            #expect(numbers.count >= 3)
            for metric in numbers {
                #expect(DashboardNumbers.matches(metric.value, DashboardNumbers.resolve(api.json, metric.path)), "\(metric.path): \(metric.value) vs \(api.json)")
            }
            let tokens = try #require(api["tokens"]?.numberValue)
            #expect(dryRunPage.html.contains("Send to \(HTML.count(Int(tokens))) tokens"))

            // Explain before the send: the planner's answer for one person, now.
            let explained = try await visitor.get("/campaigns/\(id)?explain=user-3")
            let heldOut = Assignment.isHeldOut(campaignId: id, person: "user:user-3", holdoutPercent: 25)
            #expect(explained.html.contains(heldOut ? "data-verdict=\"would_leave_out\"" : "data-verdict=\"would_send\""), "\(explained.html)")
            #expect(explained.html.contains("phone-3") && explained.html.contains("tablet-3"))
            let nobody = try await visitor.get("/campaigns/\(id)?explain=nobody-at-all")
            #expect(nobody.html.contains("data-error=\"explain\""))

            // The composer's edit page holds the saved values; the message preview renders the sample person's name.
            let edit = try await visitor.get("/campaigns/\(id)/edit")
            #expect(edit.html.contains("value=\"86400\"") && edit.html.contains("value=\"604800\"") && edit.html.contains("value=\"\(tomorrow)\"") && edit.html.contains("data-preview-field=\"title\""))
            let preview = try await Self.script(visitor, "/dashboard/preview/message", json: [
                "audience.userIds": "user-3", "message.title": "Hi {{user.firstName | default: \"there\"}}", "message.body": "b"], csrf: csrf)
            #expect(preview.status == .ok && preview["html"]?.stringValue?.contains("Hi Dana") == true, "\(preview.json)")

            // Send (scheduled for tomorrow), then cancel.
            #expect(try await visitor.post("/campaigns/\(id)/send", form: "").status == .forbidden, "no token, no send")
            let sent = try await visitor.post("/campaigns/\(id)/send", form: Self.form([("csrf", csrf)]))
            #expect(sent.status == .seeOther && sent.location == "/campaigns/\(id)")
            #expect(try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)["status"] == "scheduled")
            let scheduled = try await visitor.get("/campaigns/\(id)")
            #expect(scheduled.html.contains("data-action=\"cancel\"") && scheduled.html.contains("data-refresh="))
            let again = try await visitor.post("/campaigns/\(id)/send", form: Self.form([("csrf", csrf)]))
            #expect(again.status == .conflict, "a campaign is sent once")
            let cancelled = try await visitor.post("/campaigns/\(id)/cancel", form: Self.form([("csrf", csrf)]))
            #expect(cancelled.status == .seeOther)
            #expect(try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)["status"] == "cancelled")
            let done = try await visitor.get("/campaigns/\(id)")
            #expect(!done.html.contains("data-action=\"cancel\"") && !done.html.contains("data-refresh="))
        }
    }
    @Test(arguments: TestBackend.allCases) func editingACampaignKeepsWhatTheComposerDoesNotShow(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let hidden: [String: JSONValue] = [
                "badge": 3, "interruptionLevel": "time-sensitive", "relevanceScore": 0.5, "threadId": "LH400", "collapseId": "gate",
                "channelId": "flights", "urgency": "high", "requireInteraction": true, "actions": [["action": "open", "title": "Open"]],
                "localizations": ["de": ["title": "Gatewechsel", "body": "Jetzt B12"]],
                "apns": ["headers": ["apns-priority": "10"]], "fcm": ["android": ["ttl": "60s"]], "webpush": ["payload": ["tag": "gate"]],
            ]
            let message = JSONValue.object(["title": "Gate change", "body": "Now B12"].merging(hidden) { $1 })
            let created = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Flight", "audience": ["userIds": ["ada"]], "message": message,
                "variants": [["name": "a", "weight": 1], ["name": "b", "weight": 1, "message": ["title": "B", "body": "b", "badge": 7,
                                                                                              "localizations": ["de": ["title": "B auf Deutsch"]]]]],
                "frequencyCap": [["limit": 3, "windowSeconds": 86400], ["limit": 10, "windowSeconds": 604800], ["limit": 20, "windowSeconds": 2592000]],
                "includeStale": false])
            #expect(created.status == .created, "\(created.json)")
            let id = try #require(created["id"]?.stringValue)

            var visitor = DashboardVisitor(client)
            try await visitor.signIn(app.secret)
            let page = try await visitor.get("/campaigns/\(id)/edit")
            #expect(page.html.contains("data-kept") && page.html.contains("<code>message.localizations</code>")
                    && page.html.contains("<code>frequencyCap[2]</code>"), "the page says what saving keeps")
            // The person changes the title and saves what the composer shows.
            let saved = try await visitor.post("/campaigns/\(id)/edit", form: Self.form([
                ("csrf", try DashboardVisitor.csrf(page.html)), ("action", "save"), ("name", "Flight"), ("audience.userIds", "ada"),
                ("message.title", "Gate changed"), ("message.body", "Now B12"),
                ("variants[0].name", "a"), ("variants[0].weight", "1"), ("variants[1].name", "b"), ("variants[1].weight", "1"),
                ("variants[1].message.title", "B2"), ("variants[1].message.body", "b"),
                ("frequencyCap[0].limit", "3"), ("frequencyCap[0].windowSeconds", "86400"),
                ("frequencyCap[1].limit", "10"), ("frequencyCap[1].windowSeconds", "604800"),
            ]))
            #expect(saved.status == .seeOther, "\(saved.html)")

            let definition = try await client.call(.get, "/v1/campaigns/\(id)", key: app.secret)["definition"]?.objectValue ?? [:]
            let stored = definition["message"]?.objectValue ?? [:]
            #expect(stored["title"] == "Gate changed", "the edit is saved")
            for (field, value) in hidden {
                #expect(stored[field] == value, "message.\(field) kept: \(stored[field]?.jsonText ?? "nil")")
            }
            let variant = definition["variants"]?.arrayValue?.last?.objectValue?["message"]?.objectValue ?? [:]
            #expect(variant["title"] == "B2" && variant["badge"] == 7 && variant["localizations"] == ["de": ["title": "B auf Deutsch"]])
            #expect(definition["frequencyCap"]?.arrayValue?.count == 3 && definition["includeStale"] == false, "\(definition)")
        }
    }
}
