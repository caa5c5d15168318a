import Foundation
import PerchCore
import PerchStore

/// User lookup (`/users?userId=…` or `?installationId=…`): a person's installations with token status (never the
/// token), consent history and deliveries with outcomes. The profile equals `GET /v1/users/{userId}` (or
/// `GET /v1/installations/{id}`), the deliveries `GET /v1/campaigns/{id}/explain?installationId=…`.
struct UserLookupPage {
    struct Installation {
        var view: InstallationView
        /// `GET /v1/installations/{id}`: the view with its consent history.
        var api: String
    }

    struct Deliveries {
        var campaignId: String
        var campaignName: String
        var installationId: String
        var explain: ExplainView
    }

    var appName: String
    var userId: String?
    var installationId: String?
    /// What was found: the user's profile (with its API path), or `nil` with a message.
    var user: (view: UserView, api: String)?
    var installations: [Installation]
    var deliveries: [Deliveries]
    var message: String?
    /// The session's CSRF token, for the sign-out form.
    var csrf: String

    var html: String {
        var body = "<form class=\"lookup\" method=\"get\" action=\"/users\"><label>User id<input name=\"userId\" value=\"\(HTML.escape(userId ?? ""))\" "
            + "placeholder=\"user-42\"></label><span class=\"muted\">or</span><label>Installation id<input name=\"installationId\" "
            + "value=\"\(HTML.escape(installationId ?? ""))\" placeholder=\"6F1C2A7E-…\"></label><button type=\"submit\">Look up</button></form>"
        if let message { body += "<p class=\"notice\" role=\"status\">\(HTML.escape(message))</p>" }
        if let user { body += profile(user.view, api: user.api) }
        for installation in installations { body += self.installation(installation) }
        if !installations.isEmpty {
            body += "<h2>Deliveries</h2>"
            if deliveries.isEmpty { body += "<p class=\"muted\">No campaign or send has a delivery row for these installations.</p>" }
            for group in deliveries { body += self.deliveries(group) }
        }
        return DashboardLayout.page(title: "User lookup", appName: appName, section: .users, body: body, csrf: csrf)
    }

    func profile(_ user: UserView, api: String) -> String {
        let attributes = user.attributes.sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key)) = \(HTML.escape($0.value.jsonText))" }
        let cards = DashboardLayout.cards([
            ("Installations", HTML.count(user.installations.count), "phones, tablets, browsers"),
            ("Reachable", HTML.metric("reachability/reachableInstallations", count: user.reachability.reachableInstallations),
             user.reachability.reachable ? "a send can reach this person" : "no live token with consent"),
        ])
        return DashboardLayout.section(api: api, heading: "User \(user.userId)", cards
            + "<p><span class=\"muted\">Attributes:</span> \(attributes.isEmpty ? "none" : attributes.joined(separator: " · "))</p>", id: "user")
    }

    func installation(_ installation: Installation) -> String {
        let view = installation.view
        func text(_ path: String, _ value: String?) -> String {
            guard let value else { return "—" }
            return "<span data-metric=\"\(HTML.escape(path))\" data-value=\"\(HTML.escape(value))\">\(HTML.escape(value))</span>"
        }
        let facts = DashboardLayout.table(caption: "Installation", headers: ["Field", "Value"], rows: [
            ["Platform", text("platform", view.platform)],
            ["User", text("userId", view.userId)],
            ["Token", view.tokenId.map { "id " + text("tokenId", $0) + " <span class=\"muted\">(the token itself is never shown)</span>" } ?? "none"],
            ["Token status", text("status", view.status) + (view.statusReason.map { " · " + text("statusReason", $0) } ?? "")],
            ["Consent", text("consent/status", view.consent?.status.rawValue) + (view.consent.map { " · \(HTML.escape($0.source)), \(HTML.time($0.at))" } ?? "")],
            ["Reachable", text("reachable", view.reachable ? "true" : "false")],
            ["App version", text("appVersion", view.appVersion)],
            ["Locale · time zone", HTML.escape([view.locale, view.timezone].compactMap { $0 }.joined(separator: " · "))],
            ["Registered · last seen", "\(HTML.time(view.createdAt)) · \(HTML.time(view.lastSeenAt))"],
        ], numericFrom: 99)
        let history = (view.consentHistory ?? []).enumerated().map { index, record in
            [HTML.time(record.at), text("consentHistory/\(index)/status", record.status.rawValue), HTML.escape(record.source)]
        }
        let historyTable = DashboardLayout.table(caption: "Consent history, oldest first", headers: ["When", "Consent", "Source"], rows: history, numericFrom: 99)
        return DashboardLayout.section(api: installation.api, heading: "Installation \(view.installationId)", facts + historyTable,
                                       id: "installation-\(view.installationId)")
    }

    func deliveries(_ group: Deliveries) -> String {
        let api = "/v1/campaigns/\(group.campaignId)/explain" + HTML.query([("installationId", group.installationId)])
        let rows = group.explain.decisions.enumerated().map { index, decision -> [String] in
            func text(_ field: String, _ value: String?) -> String {
                guard let value else { return "—" }
                return "<span data-metric=\"decisions/\(index)/\(field)\" data-value=\"\(HTML.escape(value))\">\(HTML.escape(value))</span>"
            }
            return [HTML.time(decision.dueAt), HTML.escape(decision.platform), text("verdict", decision.verdict), text("state", decision.state),
                    text("outcome", decision.outcome), text("reason", decision.reason), HTML.metric("decisions/\(index)/attempts", count: decision.attempts),
                    HTML.escape(decision.explanation)]
        }
        let heading = "<h3><a href=\"/campaigns/\(HTML.escape(group.campaignId))\">\(HTML.escape(group.campaignName))</a> "
            + "<span class=\"muted\">· installation \(HTML.escape(group.installationId))</span></h3>"
        return DashboardLayout.section(api: api, heading: nil, heading + DashboardLayout.table(
            caption: "Delivery rows and what happened", headers: ["Due", "Platform", "Verdict", "State", "Outcome", "Reason", "Attempts", "Explanation"],
            rows: rows, numericFrom: 99))
    }
}
