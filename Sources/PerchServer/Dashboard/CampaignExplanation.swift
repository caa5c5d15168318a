import Foundation
import PerchCore
import PerchStore

/// Explain on a campaign's page: for an installation id or a user id, why each of their tokens was or wasn't sent.
/// Once the audience is resolved, from the delivery rows (what `GET /v1/campaigns/{id}/explain` answers per
/// installation); before, from the send's own planner run for just that person now — what would happen.
struct CampaignExplanation {
    struct Row {
        var installationId: String
        var platform: String
        /// `sent`, `queued`, `failed`, `left_out`, `would_send`, `would_leave_out` or `not_in_audience`.
        var verdict: String
        var reason: String?
        var explanation: String
    }

    var lookup: String
    var rows: [Row] = []
    var message: String?
    /// Whether the rows are a plan (the audience is not resolved yet).
    var planned = false

    var html: String {
        var out = "<h2>Explain</h2><form method=\"get\" class=\"lookup\" action=\"#explain\" role=\"search\"><label for=\"explain-id\">Installation or user id"
            + "<input id=\"explain-id\" name=\"explain\" value=\"\(HTML.escape(lookup))\" autocomplete=\"off\"></label>"
            + "<button type=\"submit\" data-action=\"explain\">Explain</button></form>"
        if let message { out += "<p class=\"field-error\" role=\"alert\" data-error=\"explain\">\(HTML.escape(message))</p>" }
        if !rows.isEmpty {
            let caption = planned ? "What sending now would do for each token (not resolved yet: planned now, nothing written)"
                : "Each token's delivery row: what was decided and what happened"
            out += DashboardLayout.table(caption: caption, headers: ["Installation", "Platform", "Verdict", "Reason", "Why"], rows: rows.map { row in
                [HTML.escape(row.installationId), HTML.escape(row.platform),
                 "<span class=\"pill\" data-verdict=\"\(HTML.escape(row.verdict))\">\(HTML.escape(row.verdict.replacingOccurrences(of: "_", with: " ")))</span>",
                 row.reason.map { "<code>\(HTML.escape($0))</code>" } ?? "", HTML.escape(row.explanation)]
            }, numericFrom: 5)
        }
        return "<section id=\"explain\">" + out + "</section>"
    }
}
