import Foundation

extension AudienceFilter {
    /// The longest filter accepted.
    public static let maximumLength = 4096

    /// Parses filter text; errors carry the offset where the text went wrong.
    /// Parses a filter given in the API field `field`; a syntax error becomes a 400 naming it and the position.
    public static func parse(_ text: String, field: String) throws(PerchError) -> AudienceFilter {
        do { return try parse(text) } catch { throw error.perchError(field: field) }
    }

    public static func parse(_ text: String) throws(FilterSyntaxError) -> AudienceFilter {
        guard text.utf8.count <= maximumLength else {
            throw FilterSyntaxError(position: 0, message: "a filter is at most \(maximumLength) characters")
        }
        var parser = Parser(tokens: try FilterLexer.tokens(text))
        let filter = try parser.expression(depth: 0)
        guard case .end = parser.current.kind else { throw parser.error("expected and, or or the end of the filter") }
        return filter
    }

    private struct Parser {
        /// Levels of `not` and parentheses, together.
        static let maximumDepth = 32

        let tokens: [FilterLexer.Token]
        var index = 0

        var current: FilterLexer.Token { tokens[index] }

        func error(_ message: String) -> FilterSyntaxError { FilterSyntaxError(position: current.position, message: message) }

        mutating func advance() { if index < tokens.count - 1 { index += 1 } }

        mutating func keyword(_ word: String) -> Bool {
            if case .identifier(let name) = current.kind, name == word { advance(); return true }
            return false
        }

        mutating func symbol(_ text: String) -> Bool {
            if case .symbol(let s) = current.kind, s == text { advance(); return true }
            return false
        }

        mutating func expect(_ text: String) throws(FilterSyntaxError) {
            guard symbol(text) else { throw error("expected \(text)") }
        }

        mutating func expression(depth: Int) throws(FilterSyntaxError) -> AudienceFilter {
            guard depth < Self.maximumDepth else { throw error("the filter nests too deeply (at most \(Self.maximumDepth) levels of not and parentheses)") }
            var left = try conjunction(depth: depth)
            while keyword("or") { left = .or(left, try conjunction(depth: depth)) }
            return left
        }

        mutating func conjunction(depth: Int) throws(FilterSyntaxError) -> AudienceFilter {
            var left = try unary(depth: depth)
            while keyword("and") { left = .and(left, try unary(depth: depth)) }
            return left
        }

        mutating func unary(depth: Int) throws(FilterSyntaxError) -> AudienceFilter {
            // `not` nests as deeply as parentheses do: the evaluator and the SQL writers recurse once per level.
            guard depth < Self.maximumDepth else { throw error("the filter nests too deeply (at most \(Self.maximumDepth) levels of not and parentheses)") }
            if keyword("not") { return .not(try unary(depth: depth + 1)) }
            if symbol("(") {
                let inner = try expression(depth: depth + 1)
                try expect(")")
                return inner
            }
            return try predicate()
        }

        mutating func predicate() throws(FilterSyntaxError) -> AudienceFilter {
            guard case .identifier(let name) = current.kind else { throw error("expected a field, known, anonymous, event(…) or (") }
            let fieldStart = current
            advance()
            switch name {
            case "known": return .known(true)
            case "anonymous": return .known(false)
            case "event": return try event()
            default: break
            }
            if let timeField = TimeField(rawValue: name) {
                if keyword("within") { return .within(timeField, try duration()) }
                if keyword("before") {
                    if case .string(let text) = current.kind {
                        guard let date = ClientEvent.parseTime(text) else { throw error("expected an ISO 8601 time such as \"2026-01-31T00:00:00Z\"") }
                        advance()
                        return .before(timeField, .instant(date))
                    }
                    return .before(timeField, .ago(try duration()))
                }
                throw error("\(name) takes within or before")
            }
            let field: Field
            switch name {
            case "platform": field = .platform
            case "appVersion": field = .appVersion
            case "locale": field = .locale
            case "timezone": field = .timezone
            case "status": field = .status
            case "consent": field = .consent
            default:
                guard name.hasPrefix("user."), case let attribute = String(name.dropFirst(5)), AudienceFilter.isAttributeName(attribute) else {
                    throw FilterSyntaxError(position: fieldStart.position, message: "unknown field \(name)")
                }
                field = .user(attribute)
            }
            if keyword("in") {
                try expect("[")
                var values: [Value] = []
                repeat {
                    values.append(try value())
                } while symbol(",")
                try expect("]")
                return .oneOf(field, values)
            }
            guard case .symbol(let text) = current.kind, let comparison = ComparisonOperator(rawValue: text) else {
                throw error("expected ==, !=, <, <=, >, >= or in")
            }
            advance()
            let literal = try value()
            if field == .appVersion, case .string(let version) = literal, SemanticVersion(version) == nil {
                throw error("\(version) is not a version such as 2.3.1")
            }
            return .compare(field, comparison, literal)
        }

        mutating func value() throws(FilterSyntaxError) -> Value {
            switch current.kind {
            case .string(let text): advance(); return .string(text)
            case .number(let number): advance(); return .number(number)
            case .identifier("true"): advance(); return .bool(true)
            case .identifier("false"): advance(); return .bool(false)
            default: throw error("expected a string, number, true or false")
            }
        }

        mutating func duration() throws(FilterSyntaxError) -> Duration {
            guard case .duration(let duration, _) = current.kind else { throw error("expected a duration such as 30d, 12h or 15m") }
            advance()
            return duration
        }

        mutating func event() throws(FilterSyntaxError) -> AudienceFilter {
            try expect("(")
            guard case .string(let name) = current.kind else { throw error("expected the event name as a string") }
            guard EventType(rawValue: name) != nil else { throw error("\(name) is not an event name") }
            advance()
            try expect(")")
            var count: CountCondition?
            if keyword("count") {
                guard case .symbol(let text) = current.kind, let comparison = ComparisonOperator(rawValue: text) else {
                    throw error("expected a comparison after count")
                }
                advance()
                guard case .number(let number) = current.kind, number >= 0, number == number.rounded(), number < 1e9 else {
                    throw error("expected a whole number")
                }
                advance()
                count = CountCondition(comparison, Int(number))
            }
            guard keyword("within") else { throw error("expected within and a window, such as within 7d") }
            return .event(name: name, count: count, window: try duration())
        }
    }

    /// User attribute names usable in filters: 1–64 of `A–Z a–z 0–9 _`.
    public static func isAttributeName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }
}
