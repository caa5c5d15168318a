import Foundation

/// Building blocks of the dashboard's server-rendered pages. Every value that reaches a page goes through
/// ``HTML/escape(_:)`` (text and attribute values alike), so nothing a client registered can become markup.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe in element content and in
    /// quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A whole number with thousands separators: `12,345`.
    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "−" : "") + grouped
    }

    /// A ratio as a percentage with one decimal (`91.2%`), or an em dash when it is undefined (denominator zero).
    static func percent(_ ratio: Double?, decimals: Int = 1) -> String {
        guard let ratio, ratio.isFinite else { return "—" }
        return String(format: "%.\(decimals)f%%", ratio * 100)
    }

    /// A number with two decimals (`2.50`), or an em dash.
    static func decimal(_ value: Double?, decimals: Int = 2) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.\(decimals)f", value)
    }

    /// The exact value a test reads back from `data-value`: integers as integers, ratios with full precision, `null`.
    static func machineValue(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }

    /// A headline number: `<span data-metric="name" data-value="exact">shown</span>`, so a test can read both the
    /// exact value and what a person sees.
    static func metric(_ name: String, _ value: Double?, shown: String) -> String {
        "<span class=\"metric\" data-metric=\"\(escape(name))\" data-value=\"\(escape(machineValue(value)))\">\(escape(shown))</span>"
    }

    /// ``metric(_:_:shown:)`` for a count.
    static func metric(_ name: String, count value: Int) -> String {
        metric(name, Double(value), shown: count(value))
    }

    /// ``metric(_:_:shown:)`` for a ratio shown as a percentage.
    static func metric(_ name: String, ratio value: Double?, decimals: Int = 1) -> String {
        metric(name, value, shown: percent(value, decimals: decimals))
    }

    /// An ISO 8601 date and time in UTC, to the minute (`2026-11-29 14:05 UTC`).
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        let components = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", components.year ?? 0, components.month ?? 0, components.day ?? 0,
                      components.hour ?? 0, components.minute ?? 0)
    }

    /// A day (`2026-11-29`), UTC.
    static func day(_ date: Date) -> String {
        let components = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
    }

    /// The Gregorian calendar in UTC, which every dashboard date is shown in.
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// A query string from name–value pairs, percent-encoded, skipping `nil` values: `?a=1&b=x%20y`.
    static func query(_ items: [(String, String?)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let parts = items.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}
