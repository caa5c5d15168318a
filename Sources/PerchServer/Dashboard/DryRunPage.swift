import Foundation
import PerchCore
import PerchStore

/// A campaign's dry run (`/campaigns/{id}/dry-run`): the numbers of `POST /v1/campaigns/{id}/dry-run` (the same
/// ``CampaignDryRun``), each a `data-metric` named by its JSON path — and, for a draft, the send button, which repeats
/// the count it is about to send to. `?send=1` (the composer's Send) asks for that confirmation.
struct DryRunPage {
    var appName: String
    var campaign: CampaignRecord
    var dryRun: CampaignDryRun?
    var problem: PerchError?
    var confirming: Bool
    var csrfField: String
    var csrf: String

    var html: String {
        let path = "/campaigns/\(Dashboard.pathSegment(campaign.id))"
        var body = "<p><a href=\"\(path)\">← The campaign</a></p>"
        if let problem {
            body += "<p class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(problem.field ?? "campaign"))\">\(HTML.escape(problem.message))</p>"
            return DashboardLayout.page(title: "Dry run: \(campaign.definition.name)", appName: appName, section: .campaigns, body: body, csrf: csrf)
        }
        let run = dryRun ?? CampaignDryRun()
        let leftOut = run.leftOut.values.reduce(0, +)
        func rows(_ counts: [String: Int], _ path: String) -> [[String]] {
            counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { [HTML.escape($0.key), HTML.metric("\(path)/\($0.key)", count: $0.value)] }
        }
        let cards = DashboardLayout.cards([
            ("Tokens", HTML.metric("tokens", count: run.tokens), "would be sent to"),
            ("People", HTML.metric("people", count: run.people), "users, or anonymous installations"),
            ("Left out", "<span class=\"metric\">\(HTML.count(leftOut))</span>", "tokens, by the reasons below"),
        ])
        let tables = "<div class=\"pair\"><div>" + DashboardLayout.table(caption: "Tokens per platform", headers: ["Platform", "Tokens"], rows: rows(run.byPlatform, "byPlatform"))
            + DashboardLayout.table(caption: "Tokens per variant", headers: ["Variant", "Tokens"], rows: rows(run.byVariant, "byVariant"))
            + "</div><div>" + DashboardLayout.table(caption: "Tokens left out, by reason", headers: ["Reason", "Tokens"], rows: rows(run.leftOut, "leftOut"))
            + "</div></div>"
        body += DashboardLayout.section(api: "/v1/campaigns/\(campaign.id)/dry-run", heading: nil,
                                        "<p class=\"muted\">Planned now by the send's own planner — consent, token status, caps, quiet hours, "
                                            + "device policy and the holdout — with nothing sent and nothing written.</p>" + cards + tables, id: "dry-run")
        if campaign.status == .draft {
            let count = "\(HTML.count(run.tokens)) \(run.tokens == 1 ? "token" : "tokens") (\(HTML.count(run.people)) \(run.people == 1 ? "person" : "people"))"
            let when = campaign.definition.schedule?.at.map { " at \(HTML.time($0))" } ?? " now"
            body += "<section id=\"confirm\"><h2>\(confirming ? "Confirm the send" : "Send")</h2>"
                + "<form method=\"post\" action=\"\(path)/send\">\(csrfField)"
                + "<p class=\"reading\" id=\"confirm-text\">Send “\(HTML.escape(campaign.definition.name))”\(when) to <strong data-confirm-count>\(count)</strong>?</p>"
                + "<p><button type=\"submit\" class=\"primary\" data-action=\"send\" aria-describedby=\"confirm-text\"\(confirming ? " autofocus" : "")>"
                + "Send to \(count)</button> <a href=\"\(path)/edit\">Edit the draft</a></p></form></section>"
        } else {
            body += "<p class=\"muted\">This campaign is \(HTML.escape(campaign.status.rawValue)); the plan above is from its recorded start.</p>"
        }
        return DashboardLayout.page(title: "Dry run: \(campaign.definition.name)", appName: appName, section: .campaigns, body: body, csrf: csrf)
    }
}
