import Foundation
import PerchCore
import PerchStore

/// The campaign composer (`/campaigns/new`, `/campaigns/{id}/edit`): every field of `POST /v1/campaigns`, named by its JSON
/// path, with the API's error shown next to the field it names (`data-error`). Its buttons save the draft first, then
/// stop there, dry-run it, or go on to the send's confirmation (`data-action` = `save`, `dry-run`, `send`).
struct ComposerPage {
    var appName: String
    var campaignId: String?
    var form: CampaignForm
    var segments: [SegmentRecord]
    var error: PerchError?
    /// What the stored campaign holds that the composer does not show (``CampaignForm/keptFields(of:)``): saving keeps it.
    var kept: [String] = []
    var preview: MessagePreview?
    var csrfField: String
    var csrf: String
    var saved = false

    /// Field names the page draws an error slot for; an error about a field not drawn (`audience.userIds[3]`) goes to the
    /// nearest drawn one above it (`audience.userIds`), else to the group, else to the top of the form.
    static let slots: [String] = {
        var names = ["name", "audience", "audience.segmentId", "audience.filter", "audience.userIds", "message", "message.title", "message.body",
                     "message.url", "message.image", "message.data", "variants", "holdoutPercent", "frequencyCap", "quietHours", "quietHours.start", "quietHours.end", "quietHours.action",
                     "quietHours.fallbackTimeZone", "devicePolicy", "schedule", "schedule.at", "schedule.localTime", "schedule.optimized", "ttlSeconds"]
        for index in 0..<CampaignForm.capRows {
            names += ["frequencyCap[\(index)]", "frequencyCap[\(index)].limit", "frequencyCap[\(index)].windowSeconds"]
        }
        for index in 0..<CampaignForm.variantRows {
            names += ["variants[\(index)]", "variants[\(index)].name", "variants[\(index)].weight", "variants[\(index)].message",
                      "variants[\(index)].message.title", "variants[\(index)].message.body"]
        }
        return names
    }()

    /// The slot the error is shown in.
    var errorSlot: String? {
        guard let field = error?.field else { return error == nil ? nil : "" }
        var candidate = field
        while !candidate.isEmpty {
            if Self.slots.contains(candidate) { return candidate }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            candidate = String(candidate[..<cut])
        }
        return ""
    }

    func errorText(_ name: String) -> String? { errorSlot == name ? error?.message : nil }

    func input(_ name: String, _ label: String, type: String = "text", hint: String? = nil, attributes: String = "") -> String {
        Self.field(name, label: label, value: form.fields[name] ?? "", error: errorText(name), type: type, hint: hint, attributes: attributes)
    }

    func textarea(_ name: String, _ label: String, rows: Int = 3, hint: String? = nil, attributes: String = "") -> String {
        let id = Self.id(name)
        return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(label))</label><textarea id=\"\(id)\" name=\"\(HTML.escape(name))\" rows=\"\(rows)\""
            + Self.described(id, hint: hint, error: errorText(name)) + " \(attributes)>\(HTML.escape(form.fields[name] ?? ""))</textarea>"
            + Self.hintAndError(name, id, hint: hint, error: errorText(name)) + "</div>"
    }

    func select(_ name: String, _ label: String, options: [(String, String)], hint: String? = nil) -> String {
        let id = Self.id(name), current = form.fields[name] ?? ""
        let choices = options.map { value, text in
            "<option value=\"\(HTML.escape(value))\"\(value == current ? " selected" : "")>\(HTML.escape(text))</option>"
        }.joined()
        return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(label))</label><select id=\"\(id)\" name=\"\(HTML.escape(name))\""
            + Self.described(id, hint: hint, error: errorText(name)) + ">\(choices)</select>" + Self.hintAndError(name, id, hint: hint, error: errorText(name)) + "</div>"
    }

    /// A fieldset with a legend and the group's own error slot (`audience`, `message`, …).
    func group(_ name: String, _ legend: String, _ content: String) -> String {
        let error = errorText(name).map { "<p class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(name))\">\(HTML.escape($0))</p>" } ?? ""
        return "<fieldset><legend>\(HTML.escape(legend))</legend>\(error)\(content)</fieldset>"
    }

    var html: String {
        let top = errorSlot == "" ? "<p class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(error?.field ?? ""))\">\(HTML.escape(error?.message ?? ""))</p>" : ""
        let action = campaignId.map { "/campaigns/\(Dashboard.pathSegment($0))/edit" } ?? "/campaigns/new"
        let segmentOptions = [("", "— none —")] + segments.map { ($0.id, "\($0.name) (\($0.id))") }
        let audience = group("audience", "Audience — exactly one of a segment, a filter or user ids",
            select("audience.segmentId", "Segment", options: segmentOptions)
            + textarea("audience.filter", "Filter", rows: 2, hint: "e.g. platform == \"apns\" and lastSeenAt within 30d", attributes: "spellcheck=\"false\" data-preview=\"segment\"")
            + "<div id=\"audience-filter-parse\" class=\"field-error\" role=\"alert\" data-error=\"audience.filter\" hidden><span class=\"message\"></span></div>"
            + "<p class=\"live\" aria-live=\"polite\">Filter matches now: <span class=\"metric\" data-metric=\"installations\">—</span> installations · "
            + "<span class=\"metric\" data-metric=\"people\">—</span> people</p>"
            + textarea("audience.userIds", "User ids", rows: 2, hint: "your own user ids, one per line (up to 10,000)"))
        let templates = "Templates: {{user.firstName | default: \"there\"}}, {{installation.locale | default: \"en\"}} — every template needs a default."
        let message = group("message", "Message",
            input("message.title", "Title", hint: templates, attributes: "data-message")
            + textarea("message.body", "Body", rows: 2, attributes: "data-message")
            + "<div class=\"row\">" + input("message.url", "URL (opened on tap)", type: "url", attributes: "data-message")
            + input("message.image", "Image URL", type: "url", attributes: "data-message") + "</div>"
            + textarea("message.data", "Data (JSON object)", rows: 2, hint: "custom keys delivered with the notification, e.g. {\"screen\": \"sale\"}", attributes: "spellcheck=\"false\" data-message")
            + "<section id=\"message-preview\" class=\"message-preview\" aria-live=\"polite\" aria-label=\"Preview\"><h3 class=\"sub\">Preview for a sample person</h3>"
            + "<div data-preview-target>\(preview?.html ?? "")</div></section>")
        var rows = ""
        for index in 0..<CampaignForm.variantRows {
            let prefix = "variants[\(index)]."
            rows += "<div class=\"row variant\">" + input(prefix + "name", "Variant \(index + 1) name")
                + input(prefix + "weight", "Weight", type: "number", attributes: "min=\"0\" step=\"any\"")
                + input(prefix + "message.title", "Title (blank: the message's)", attributes: "data-message")
                + input(prefix + "message.body", "Body (blank: the message's)", attributes: "data-message") + "</div>"
                + errorLine("variants[\(index)]") + errorLine("variants[\(index)].message")
        }
        let variants = group("variants", "Variants — two or more, each drawn per person by weight (optional)", rows)
        let policy = group("policy", "Holdout, caps, quiet hours, device policy",
            "<div class=\"row\">" + input("holdoutPercent", "Holdout %", type: "number", hint: "people kept out to measure lift (0 to 90)", attributes: "min=\"0\" max=\"90\" step=\"any\"")
            + select("devicePolicy", "Device policy", options: [("", "all devices (default)"), ("all", "all"), ("latest", "latest device"),
                                                                   ("latestPerPlatform", "latest device per platform")]) + "</div>"
            + errorLine("frequencyCap") + (0..<CampaignForm.capRows).map { index in
                let prefix = "frequencyCap[\(index)]."
                return "<div class=\"row\">" + input(prefix + "limit", index == 0 ? "Frequency cap: messages" : "and at most", type: "number", attributes: "min=\"1\"")
                    + input(prefix + "windowSeconds", "per seconds", type: "number", hint: index == 0 ? "86400 = a day" : "604800 = a week",
                            attributes: "min=\"60\"") + "</div>" + errorLine("frequencyCap[\(index)]")
            }.joined()
            + errorLine("quietHours") + "<div class=\"row\">" + input("quietHours.start", "Quiet hours from", type: "time")
            + input("quietHours.end", "until", type: "time")
            + select("quietHours.action", "During quiet hours", options: [("", "defer (default)"), ("defer", "defer"), ("skip", "skip")])
            + input("quietHours.fallbackTimeZone", "Time zone when unknown", hint: "default UTC") + "</div>")
        let optimized = form.fields["schedule.optimized"] == "true" ? " checked" : ""
        let schedule = group("schedule", "Schedule and expiry — blank sends at once",
            "<div class=\"row\">" + input("schedule.at", "At (UTC)", type: "datetime-local")
            + input("schedule.localTime", "Local time", type: "time", hint: "in each person's time zone")
            + "<div class=\"field check\"><input type=\"checkbox\" id=\"schedule-optimized\" name=\"schedule.optimized\" value=\"true\"\(optimized)>"
            + "<label for=\"schedule-optimized\">Optimised: each person at the hour they usually open</label>\(errorLine("schedule.optimized"))</div>"
            + input("ttlSeconds", "Expires after (seconds)", type: "number", hint: "the push services drop it after this (0 to 2419200)", attributes: "min=\"0\"")
            + "</div>")
        let buttons = "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"save\" data-action=\"save\">Save draft</button>"
            + "<button type=\"submit\" name=\"action\" value=\"dry-run\" data-action=\"dry-run\">Dry run</button>"
            + "<button type=\"submit\" name=\"action\" value=\"send\" data-action=\"send\" class=\"primary\">Send…</button>"
            + "<span class=\"hint\">Each saves the draft first; Send asks to confirm with the numbers.</span></div>"
        let body = "<p><a href=\"\(campaignId.map { "/campaigns/" + Dashboard.pathSegment($0) } ?? "/campaigns")\">← \(campaignId == nil ? "Campaigns" : "Campaign")</a></p>"
            + (saved ? "<p class=\"notice\" role=\"status\">Draft saved.</p>" : "")
            + "<form method=\"post\" action=\"\(HTML.escape(action))\" class=\"composer\" aria-label=\"Campaign\" data-composer>\(csrfField)\(top)"
            + input("name", "Name", attributes: "required maxlength=\"200\"") + audience + message + variants + policy + schedule + keptNote + buttons + "</form>"
        return DashboardLayout.page(title: campaignId == nil ? "New campaign" : "Edit campaign", appName: appName, section: .campaigns, body: body, csrf: csrf)
    }

    /// Says which of the campaign's fields the composer does not show and saving keeps as they are.
    var keptNote: String {
        guard !kept.isEmpty else { return "" }
        let names = kept.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", ")
        return "<p class=\"hint\" data-kept>Also kept as set through the API (not shown here): \(names).</p>"
    }

    /// An error slot with no field of its own (`variants[1]`: the row as a whole), when the error is there.
    func errorLine(_ name: String) -> String {
        errorText(name).map { "<p class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(name))\">\(HTML.escape($0))</p>" } ?? ""
    }

    // MARK: - Fields

    /// An id for a field name: `variants[1].weight` → `variants-1-weight`.
    static func id(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber ? $0 : "-" }).replacingOccurrences(of: "--", with: "-").trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    /// A labelled input with its hint and, when given, its error (`data-error` naming the field), tied by `aria-describedby`.
    static func field(_ name: String, label: String, value: String, error: String?, type: String = "text", hint: String? = nil, attributes: String = "") -> String {
        let id = Self.id(name)
        return "<div class=\"field\"><label for=\"\(id)\">\(HTML.escape(label))</label><input type=\"\(type)\" id=\"\(id)\" name=\"\(HTML.escape(name))\" "
            + "value=\"\(HTML.escape(value))\"" + described(id, hint: hint, error: error) + " \(attributes)>" + hintAndError(name, id, hint: hint, error: error) + "</div>"
    }

    static func described(_ id: String, hint: String?, error: String?) -> String {
        let ids = [hint.map { _ in id + "-hint" }, error.map { _ in id + "-error" }].compactMap { $0 }
        return (ids.isEmpty ? "" : " aria-describedby=\"\(ids.joined(separator: " "))\"") + (error == nil ? "" : " aria-invalid=\"true\"")
    }

    static func hintAndError(_ name: String, _ id: String, hint: String?, error: String?) -> String {
        (hint.map { "<p id=\"\(id)-hint\" class=\"hint\">\(HTML.escape($0))</p>" } ?? "")
            + (error.map { "<p id=\"\(id)-error\" class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(name))\">\(HTML.escape($0))</p>" } ?? "")
    }
}
