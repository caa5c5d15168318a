import Foundation
import PerchCore
import PerchStore

/// Campaigns (`/campaigns`): every campaign of the app with its status and counts, newest first. Each row's numbers
/// equal `GET /v1/campaigns/{id}` (the same view, ``CampaignView``).
struct CampaignListPage {
    var appName: String
    var campaigns: [CampaignView]
    /// The session's CSRF token, for the sign-out form.
    var csrf: String

    var html: String {
        var rows = ""
        for campaign in campaigns {
            let api = "/v1/campaigns/\(campaign.id)"
            let counts = campaign.counts ?? CampaignCounts()
            func cell(_ name: String, _ value: Int) -> String { "<td class=\"num\">\(HTML.metric("counts/\(name)", count: value))</td>" }
            rows += "<tr data-api=\"\(HTML.escape(api))\"><th scope=\"row\"><a href=\"/campaigns/\(HTML.escape(campaign.id))\">\(HTML.escape(campaign.name))</a>"
                + "<div class=\"sub\">\(HTML.escape(campaign.kind)) · \(HTML.escape(campaign.id))</div></th><td><span class=\"pill\" data-metric=\"status\" data-value=\"\(HTML.escape(campaign.status))\">"
                + "\(HTML.escape(campaign.status))</span></td><td>\(HTML.time(campaign.startedAt).replacingOccurrences(of: " UTC", with: ""))</td>"
                + cell("tokens", counts.tokens) + cell("attempted", counts.attempted) + cell("accepted", counts.accepted)
                + cell("received", counts.received) + cell("opened", counts.opened) + cell("converted", counts.converted) + "</tr>"
        }
        if campaigns.isEmpty { rows = "<tr><td colspan=\"9\" class=\"empty\">No campaigns yet: compose one (New campaign) or create one with POST /v1/campaigns.</td></tr>" }
        let table = "<div class=\"scroll\"><table><caption>Counts from each campaign's delivery rows and the events attributed to it</caption>"
            + "<thead><tr><th scope=\"col\">Campaign</th><th scope=\"col\">Status</th><th scope=\"col\">Started (UTC)</th>"
            + ["Tokens", "Attempted", "Accepted", "Delivered", "Opened", "Converted"].map { "<th scope=\"col\" class=\"num\">\($0)</th>" }.joined()
            + "</tr></thead><tbody>\(rows)</tbody></table></div>"
        return DashboardLayout.page(title: "Campaigns", appName: appName, section: .campaigns,
                                    body: "<p><a class=\"button primary\" href=\"/campaigns/new\">New campaign</a></p><section>\(table)<p class=\"muted\">Delivered = client receipts (<code>received</code> events); "
                                        + "accepted = the push service said yes.</p></section>", csrf: csrf)
    }
}
