import Foundation
import PerchCore

/// A filter that does not parse, as the dashboard shows it: the parser's message and the position it names, with the
/// text split there so the page can point at it. The script's preview answers it as
/// `{"error": {code, message, field: "filter", position}}`.
struct FilterProblem: Sendable, Encodable {
    var code = PerchError.Code.invalidField.description
    var message: String
    var field = "filter"
    /// Zero-based offset into the filter, in characters.
    var position: Int

    init(_ error: FilterSyntaxError, field: String = "filter") {
        message = "filter error \(error.description)"
        position = error.position
        self.field = field
    }

    /// The problem with a filter's text, or `nil` when it parses.
    static func of(_ filter: String, field: String = "filter") -> FilterProblem? {
        do {
            _ = try AudienceFilter.parse(filter)
            return nil
        } catch {
            return FilterProblem(error, field: field)
        }
    }

    /// `<p data-error="filter" data-position="12">` with the message and the filter up to the position, the rest marked.
    func html(filter: String, id: String) -> String {
        let index = filter.index(filter.startIndex, offsetBy: min(max(position, 0), filter.count))
        return "<div id=\"\(HTML.escape(id))\" class=\"field-error\" role=\"alert\" data-error=\"\(HTML.escape(field))\" data-position=\"\(position)\">"
            + "<span class=\"message\">\(HTML.escape(message))</span><code class=\"at\">\(HTML.escape(String(filter[..<index])))"
            + "<mark>\(HTML.escape(String(filter[index...]).isEmpty ? "␣" : String(filter[index...])))</mark></code></div>"
    }
}
