import Foundation
import PerchStore

/// Segments (`/segments`): the app's saved filters, each linking to its editor and to a new campaign for it. The rows
/// equal `GET /v1/segments`.
struct SegmentListPage {
    var appName: String
    var segments: [SegmentRecord]
    var csrf: String

    var html: String {
        let rows = segments.sorted { $0.updatedAt > $1.updatedAt }.map { segment -> [String] in
            ["<a href=\"/segments/\(HTML.escape(segment.id))\">\(HTML.escape(segment.name))</a><div class=\"sub\">\(HTML.escape(segment.id))</div>",
             "<code>\(HTML.escape(segment.filter))</code>", HTML.time(segment.updatedAt).replacingOccurrences(of: " UTC", with: ""),
             "<a href=\"/campaigns/new\(HTML.query([("audience.segmentId", segment.id)]))\">New campaign</a>"]
        }
        let table = DashboardLayout.table(caption: "Saved audience filters, last edited first", headers: ["Segment", "Filter", "Edited (UTC)", ""],
                                          rows: rows, numericFrom: 4)
        return DashboardLayout.page(title: "Segments", appName: appName, section: .segments,
                                    body: "<p><a class=\"button\" href=\"/segments/new\">New segment</a></p>"
                                        + DashboardLayout.section(api: "/v1/segments", heading: nil, table), csrf: csrf)
    }
}
