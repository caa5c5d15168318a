import Foundation
import PerchCore
import PerchStore

/// What can be done to a campaign from its page, by status — edit, dry-run and send a draft; cancel a scheduled or
/// running one (`data-action`) — and its progress while it runs: the counts of `GET /v1/campaigns/{id}`, refreshed by
/// the page's script every few seconds (`data-refresh`) until it is done.
struct CampaignControls {
    var campaign: CampaignView
    var csrfField: String

    /// Seconds between refreshes while the campaign is scheduled or running.
    static let refreshSeconds = 3

    var html: String {
        let path = "/campaigns/\(Dashboard.pathSegment(campaign.id))"
        let live = campaign.status == CampaignStatus.running.rawValue || campaign.status == CampaignStatus.scheduled.rawValue
        var out = "<section id=\"controls\" data-api=\"/v1/campaigns/\(HTML.escape(campaign.id))\"\(live ? " data-refresh=\"\(Self.refreshSeconds)\"" : "")"
            + " aria-label=\"Status and actions\"><p>Status: <span class=\"pill\" data-metric=\"status\" data-value=\"\(HTML.escape(campaign.status))\">"
            + "\(HTML.escape(campaign.status))</span>"
        if live { out += " <span class=\"sub\">refreshing every \(Self.refreshSeconds) s</span>" }
        out += "</p>"
        if campaign.kind == "campaign", campaign.status == CampaignStatus.draft.rawValue {
            out += "<p class=\"actions\"><a class=\"button\" href=\"\(path)/edit\">Edit</a> <a class=\"button\" href=\"\(path)/dry-run\" data-action=\"dry-run\">Dry run</a> "
                + "<a class=\"button primary\" href=\"\(path)/dry-run?send=1\" data-action=\"send\">Send…</a></p>"
        }
        if live {
            out += "<form method=\"post\" action=\"\(path)/cancel\" class=\"actions\">\(csrfField)<button type=\"submit\" data-action=\"cancel\" class=\"danger\">"
                + "Cancel campaign</button> <span class=\"hint\">queued messages are dropped; nothing new goes out</span></form>"
        }
        let counts = campaign.counts ?? CampaignCounts()
        let done = counts.tokens - counts.queued
        out += "<div class=\"progress\"><progress max=\"\(max(counts.tokens, 1))\" value=\"\(done)\" aria-label=\"Tokens done\"></progress> "
            + "\(HTML.metric("counts/tokens", count: counts.tokens)) tokens · \(HTML.metric("counts/queued", count: counts.queued)) queued · "
            + "\(HTML.metric("counts/attempted", count: counts.attempted)) attempted · \(HTML.metric("counts/accepted", count: counts.accepted)) accepted</div>"
        return out + "</section>"
    }
}
