import Foundation

/// The frame every dashboard page shares — header, navigation, sign-out — and the stylesheet Perch serves for it
/// (`/dashboard/style.css`: no inline styles, so the pages' Content-Security-Policy can forbid them).
enum DashboardLayout {
    enum Section: String, CaseIterable {
        case tokens = "Token health"
        case campaigns = "Campaigns"
        case segments = "Segments"
        case users = "User lookup"

        var path: String {
            switch self {
            case .tokens: "/"
            case .campaigns: "/campaigns"
            case .segments: "/segments"
            case .users: "/users"
            }
        }
    }

    /// A whole page. `body` is HTML already escaped; `title` and `appName` are escaped here. A signed-in page (one with an
    /// `appName`) passes the session's `csrf` token: its sign-out form carries it (field `csrf`), the page carries it for
    /// its script (`meta[name=csrf-token]`) and loads Perch's own script (`/dashboard/dashboard.js`: live counts,
    /// previews, progress).
    static func page(title: String, appName: String?, section: Section?, body: String, csrf: String? = nil) -> String {
        let script = csrf.map {
            "<meta name=\"csrf-token\" content=\"\(HTML.escape($0))\"><script src=\"/dashboard/dashboard.js\" defer></script>"
        } ?? ""
        var out = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · Perch</title><link rel="stylesheet" href="/dashboard/style.css">\(script)</head>
        <body><header class="top"><div class="brand">Perch</div>
        """
        if let appName {
            out += "<div class=\"app\" data-app>\(HTML.escape(appName))</div><nav aria-label=\"Dashboard\">"
            for item in Section.allCases {
                let current = item == section ? " aria-current=\"page\"" : ""
                out += "<a href=\"\(item.path)\"\(current)>\(HTML.escape(item.rawValue))</a>"
            }
            let token = csrf.map { "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape($0))\">" } ?? ""
            out += "</nav><form method=\"post\" action=\"/signout\" class=\"signout\">\(token)<button type=\"submit\" data-action=\"sign-out\">Sign out</button></form>"
        }
        out += "</header><main><h1>\(HTML.escape(title))</h1>\(body)</main></body></html>"
        return out
    }

    /// A row of headline numbers: each a card with a label, the number (already a `data-metric` element) and a hint.
    static func cards(_ items: [(label: String, metric: String, hint: String)]) -> String {
        "<div class=\"cards\">" + items.map { item in
            "<div class=\"card\"><div class=\"label\">\(HTML.escape(item.label))</div><div class=\"value\">\(item.metric)</div>"
                + "<div class=\"hint\">\(HTML.escape(item.hint))</div></div>"
        }.joined() + "</div>"
    }

    /// A table; header cells are escaped, body cells are HTML already (numbers are `data-metric` elements).
    static func table(caption: String, headers: [String], rows: [[String]], numericFrom: Int = 1) -> String {
        var out = "<div class=\"scroll\"><table><caption>\(HTML.escape(caption))</caption><thead><tr>"
        for (index, header) in headers.enumerated() {
            out += "<th scope=\"col\"\(index >= numericFrom ? " class=\"num\"" : "")>\(HTML.escape(header))</th>"
        }
        out += "</tr></thead><tbody>"
        if rows.isEmpty {
            out += "<tr><td colspan=\"\(headers.count)\" class=\"empty\">None</td></tr>"
        }
        for row in rows {
            out += "<tr>" + row.enumerated().map { index, cell in
                index == 0 ? "<th scope=\"row\">\(cell)</th>" : "<td\(index >= numericFrom ? " class=\"num\"" : "")>\(cell)</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// A section whose numbers equal the API call `api` answers (the secret key's app); tests fetch it and compare.
    static func section(api: String, heading: String?, _ content: String, id: String? = nil) -> String {
        let anchor = id.map { " id=\"\(HTML.escape($0))\"" } ?? ""
        return "<section\(anchor) data-api=\"\(HTML.escape(api))\">" + (heading.map { "<h2>\(HTML.escape($0))</h2>" } ?? "") + content + "</section>"
    }

    static let stylesheet = """
    :root { --ink: #111827; --muted: #4b5563; --line: #d1d5db; --soft: #f3f4f6; --accent: #1d4ed8; --bad: #b91c1c; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
           color: var(--ink); background: #f9fafb; }
    header.top { display: flex; align-items: center; gap: 20px; padding: 10px 24px; background: #111827; color: #fff; flex-wrap: wrap; }
    header.top .brand { font-weight: 700; font-size: 18px; letter-spacing: .02em; }
    header.top .app { color: #d1d5db; }
    header.top nav { display: flex; gap: 4px; flex: 1; }
    header.top nav a { color: #e5e7eb; text-decoration: none; padding: 6px 10px; border-radius: 6px; }
    header.top nav a[aria-current="page"], header.top nav a:hover { background: #374151; color: #fff; }
    header.top .signout button { background: transparent; color: #e5e7eb; border: 1px solid #6b7280; border-radius: 6px; padding: 5px 10px; cursor: pointer; }
    main { max-width: 1200px; margin: 0 auto; padding: 20px 24px 48px; }
    h1 { font-size: 22px; margin: 8px 0 16px; }
    h2 { font-size: 17px; margin: 28px 0 10px; }
    section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 4px 18px 16px; margin: 16px 0; }
    .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; margin: 12px 0; }
    .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
    .card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
    .card .value { font-size: 24px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
    .card .hint { color: var(--muted); font-size: 12px; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0; font-variant-numeric: tabular-nums; }
    caption { text-align: left; color: var(--muted); font-size: 12px; padding: 4px 0; }
    th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e5e7eb; white-space: nowrap; }
    thead th { background: var(--soft); font-weight: 600; white-space: normal; vertical-align: bottom; }
    .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 24px; }
    tbody th { font-weight: 500; }
    .num { text-align: right; }
    td.empty { color: var(--muted); text-align: center; }
    svg.chart { width: 100%; max-width: 820px; height: auto; display: block; margin: 8px 0; }
    form.filters, form.lookup { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; margin: 8px 0 4px; }
    label { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
    input, select { font: inherit; padding: 6px 8px; border: 1px solid #9ca3af; border-radius: 6px; min-width: 160px; color: var(--ink); background: #fff; }
    button.primary, form.filters button, form.lookup button { font: inherit; padding: 7px 14px; border-radius: 6px; border: 0; background: var(--accent);
           color: #fff; cursor: pointer; }
    .notice { padding: 10px 12px; border-radius: 8px; background: #eff6ff; border: 1px solid #bfdbfe; }
    .error { padding: 10px 12px; border-radius: 8px; background: #fef2f2; border: 1px solid #fecaca; color: var(--bad); }
    .reading { font-size: 15px; }
    .muted { color: var(--muted); }
    .sub { color: var(--muted); font-size: 12px; font-weight: 400; }
    a { color: var(--accent); }
    .signin { max-width: 420px; margin: 60px auto; background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 8px 24px 24px; }
    .signin input { width: 100%; }
    .signin form { display: flex; flex-direction: column; gap: 14px; }
    .pill { display: inline-block; padding: 1px 8px; border-radius: 999px; background: var(--soft); border: 1px solid var(--line); font-size: 12px; }
    :focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
    fieldset { border: 1px solid var(--line); border-radius: 10px; padding: 8px 16px 12px; margin: 14px 0; background: #fff; }
    legend { font-weight: 600; padding: 0 6px; }
    .field { display: flex; flex-direction: column; gap: 4px; margin: 8px 0; flex: 1; min-width: 160px; }
    .field label { color: var(--ink); font-size: 13px; font-weight: 500; }
    .field.check { flex-direction: row; align-items: center; gap: 8px; }
    .field.check input { min-width: 0; }
    .row { display: flex; gap: 12px; flex-wrap: wrap; align-items: flex-start; }
    textarea { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; padding: 6px 8px; border: 1px solid #9ca3af; border-radius: 6px; width: 100%; }
    .hint { color: var(--muted); font-size: 12px; margin: 0; }
    .field-error { color: var(--bad); background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; padding: 6px 8px; margin: 4px 0; font-size: 13px; }
    .field-error code.at { display: block; margin-top: 4px; white-space: pre-wrap; color: var(--ink); }
    .field-error mark { background: #fde68a; color: var(--ink); }
    [aria-invalid="true"] { border-color: var(--bad); }
    .live { margin: 6px 0; }
    .actions { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin: 12px 0; }
    .actions button, a.button, form.actions button { font: inherit; padding: 7px 14px; border-radius: 6px; border: 1px solid #9ca3af; background: #fff;
           color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
    .actions button.primary, a.button.primary, button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
    button.danger { background: var(--bad); color: #fff; border-color: var(--bad); }
    .previews { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; }
    figure.preview { margin: 0; border: 1px solid var(--line); border-radius: 10px; padding: 8px 10px; background: var(--soft); }
    figure.preview figcaption { font-size: 12px; color: var(--muted); margin-bottom: 6px; }
    .bubble { background: #fff; border-radius: 8px; padding: 8px 10px; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-wrap: anywhere; }
    figure.preview pre { font-size: 11px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 200px; overflow: auto; }
    .progress progress { width: 240px; vertical-align: middle; }
    """
}
