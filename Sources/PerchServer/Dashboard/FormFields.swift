import Foundation

/// An `application/x-www-form-urlencoded` body as name → value, names kept verbatim — the dashboard's forms name
/// their fields by API JSON paths (`message.title`, `variants[1].weight`), which a keyed decoder would take apart.
/// A repeated name keeps its first value.
struct FormFields: Sendable {
    private(set) var values: [String: String] = [:]

    init(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            if values[name] == nil { values[name] = value }
        }
    }

    init(values: [String: String]) {
        self.values = values
    }

    /// The value, with `\r\n` as `\n` (browsers send textarea lines so); `nil` when absent.
    subscript(_ name: String) -> String? {
        values[name].map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
    }

    /// The value trimmed; `nil` when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
