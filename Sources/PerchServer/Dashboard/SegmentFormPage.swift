import Foundation
import PerchCore
import PerchStore

/// A segment's editor (`/segments/new`, `/segments/{id}`): name and filter, the filter's parse error at its position,
/// and the number of installations and people it selects — counted on the server when the page is drawn, then live
/// as the filter is typed (`POST /dashboard/preview/segment`, the same count as `POST /v1/segments/preview`).
struct SegmentFormPage {
    var appName: String
    /// `nil` for a new segment.
    var segmentId: String?
    var name: String
    var filter: String
    var size: AudienceSize?
    /// A rule the name or filter broke (field and message), or the filter's parse error.
    var error: PerchError?
    var filterProblem: FilterProblem?
    var csrfField: String
    var csrf: String
    var saved = false

    var html: String {
        let action = segmentId.map { "/segments/" + Dashboard.pathSegment($0) } ?? "/segments/new"
        let nameError = error?.field == "name" ? error?.message : nil
        let filterError: String
        if let filterProblem {
            filterError = filterProblem.html(filter: filter, id: "filter-parse")
        } else if error?.field == "filter", let message = error?.message {
            filterError = "<div id=\"filter-parse\" class=\"field-error\" role=\"alert\" data-error=\"filter\"><span class=\"message\">\(HTML.escape(message))</span></div>"
        } else {
            filterError = "<div id=\"filter-parse\" class=\"field-error\" role=\"alert\" data-error=\"filter\" hidden><span class=\"message\"></span></div>"
        }
        let installations = size.map { HTML.metric("installations", count: $0.installations) } ?? "<span class=\"metric\" data-metric=\"installations\">—</span>"
        let people = size.map { HTML.metric("people", count: $0.people) } ?? "<span class=\"metric\" data-metric=\"people\">—</span>"
        let form = """
        <form method="post" action="\(HTML.escape(action))" class="editor" aria-label="Segment">\(csrfField)
        \(ComposerPage.field("name", label: "Name", value: name, error: nameError, attributes: "required maxlength=\"200\""))
        <div class="field"><label for="filter">Filter</label>
        <textarea id="filter" name="filter" rows="4" spellcheck="false" data-preview="segment" aria-describedby="filter-help filter-parse" required>\(HTML.escape(filter))</textarea>
        <p id="filter-help" class="hint">Perch's filter language, e.g. <code>platform == "apns" and lastSeenAt within 30d</code>,
        <code>known and user.plan in ["pro", "team"]</code>, <code>event("opened") count &gt;= 3 within 30d</code>.</p>
        \(filterError)</div>
        <p class="live" data-api="/v1/segments/preview" aria-live="polite">Matches now: \(installations) installations · \(people) people</p>
        <p><button type="submit" class="primary" data-action="save">Save segment</button></p>
        </form>
        """
        let notice = saved ? "<p class=\"notice\" role=\"status\">Saved.</p>" : ""
        let links = segmentId.map { "<p><a href=\"/campaigns/new\(HTML.query([("audience.segmentId", $0)]))\">New campaign for this segment</a></p>" } ?? ""
        return DashboardLayout.page(title: segmentId == nil ? "New segment" : "Segment: \(name)", appName: appName, section: .segments,
                                    body: "<p><a href=\"/segments\">← Segments</a></p>" + notice + "<section>" + form + "</section>" + links, csrf: csrf)
    }
}
