import Foundation

/// Personalisation in message text: `Hi {{user.firstName | default: "there"}}!`.
///
/// A placeholder names a user attribute (`user.<name>`) or an installation field
/// (`installation.locale`, `installation.timezone`, `installation.appVersion`), optionally with a
/// `default` used when the value is missing. A placeholder without a default whose value is
/// missing renders as the empty string — checked up front by ``MessageTemplate/missingDefaults``
/// so a campaign can refuse such a template before anything is sent.
public struct MessageTemplate: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        case placeholder(path: String, fallback: String?)
    }

    let parts: [Part]

    public init(_ text: String) throws(FilterSyntaxError) {
        var parts: [Part] = []
        var rest = Substring(text)
        var offset = 0
        while let open = rest.range(of: "{{") {
            parts.append(.text(String(rest[..<open.lowerBound])))
            let start = offset + rest.distance(from: rest.startIndex, to: open.lowerBound)
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw FilterSyntaxError(position: start, message: "unclosed {{")
            }
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            parts.append(try Self.placeholder(inside, position: start))
            offset += rest.distance(from: rest.startIndex, to: close.upperBound)
            rest = rest[close.upperBound...]
        }
        parts.append(.text(String(rest)))
        self.parts = parts.filter { $0 != .text("") }
    }

    private static func placeholder(_ inside: String, position: Int) throws(FilterSyntaxError) -> Part {
        let pieces = inside.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        let path = pieces[0]
        let valid = path.hasPrefix("user.") ? AudienceFilter.isAttributeName(String(path.dropFirst(5)))
            : ["installation.locale", "installation.timezone", "installation.appVersion"].contains(path)
        guard valid else { throw FilterSyntaxError(position: position, message: "unknown placeholder \(path)") }
        guard pieces.count == 2 else { return .placeholder(path: path, fallback: nil) }
        let filter = pieces[1]
        guard filter.hasPrefix("default:") else { throw FilterSyntaxError(position: position, message: "only the default filter exists") }
        let literal = filter.dropFirst("default:".count).trimmingCharacters(in: .whitespaces)
        guard literal.count >= 2, literal.hasPrefix("\""), literal.hasSuffix("\"") else {
            throw FilterSyntaxError(position: position, message: "default takes a quoted string")
        }
        return .placeholder(path: path, fallback: String(literal.dropFirst().dropLast()))
    }

    /// Placeholders that have no default.
    public var missingDefaults: [String] {
        parts.compactMap { part in
            if case .placeholder(let path, nil) = part { return path }
            return nil
        }
    }

    /// Whether the text has any placeholder (plain text is rendered once for everyone).
    public var isPersonalised: Bool { parts.contains { if case .placeholder = $0 { true } else { false } } }

    /// Renders for one recipient.
    public func render(user attributes: [String: JSONValue], installation: [String: String] = [:]) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text):
                output += text
            case .placeholder(let path, let fallback):
                let value: String? = if path.hasPrefix("user.") {
                    attributes[String(path.dropFirst(5))].flatMap(Self.text)
                } else {
                    installation[String(path.dropFirst("installation.".count))]
                }
                output += value.flatMap { $0.isEmpty ? nil : $0 } ?? fallback ?? ""
            }
        }
        return output
    }

    private static func text(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }
}
