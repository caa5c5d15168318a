import Foundation
import PerchCore

extension AudienceFilter {
    /// The filter as a PostgreSQL condition over `tokens t`, `installations i` (joined on the token's
    /// installation) and `users u` (left-joined on the installation's user, `attributes` as `jsonb`),
    /// with `events` read in sub-queries. Times are seconds since 1970 (`double precision`), as stored.
    ///
    /// Placeholders are numbered `$firstParameter`, `$firstParameter + 1`, … in the order of
    /// ``SQLCondition/bindings``, so the caller can bind its own parameters (the app id) first.
    /// Text comparisons use the `"C"` collation, so `<` and `>` order bytes exactly as SQLite's
    /// `BINARY` collation and ``matches(_:now:)`` do, whatever the database's locale. As in
    /// ``sqliteCondition(now:)``, every leaf is wrapped in `COALESCE(…, false)` so SQL's NULL logic
    /// cannot disagree with the in-memory evaluation under `not`.
    public func postgresCondition(now: Date, firstParameter: Int = 1) -> SQLCondition {
        var compiler = PostgresCompiler(now: now, next: firstParameter)
        return compiler.condition(self)
    }
}

/// Compiles one filter, numbering placeholders as it goes.
private struct PostgresCompiler {
    let now: Date
    var next: Int
    var bindings: [SQLCondition.Binding] = []

    init(now: Date, next: Int) {
        self.now = now
        self.next = next
    }

    /// A placeholder for `binding`, bound in order.
    mutating func bind(_ binding: SQLCondition.Binding) -> String {
        bindings.append(binding)
        defer { next += 1 }
        switch binding {
        case .text: return "$\(next)::text"
        case .real: return "$\(next)::double precision"
        case .integer: return "$\(next)::bigint"
        }
    }

    mutating func condition(_ filter: AudienceFilter) -> SQLCondition {
        let sql = compile(filter)
        return SQLCondition(sql, bindings)
    }

    private mutating func compile(_ filter: AudienceFilter) -> String {
        switch filter {
        case .and(let a, let b):
            let left = compile(a)
            return "(\(left) AND \(compile(b)))"
        case .or(let a, let b):
            let left = compile(a)
            return "(\(left) OR \(compile(b)))"
        case .not(let inner):
            return "(NOT \(compile(inner)))"
        case .known(let known):
            return known ? "(i.user_id IS NOT NULL)" : "(i.user_id IS NULL)"
        case .compare(let field, let comparison, let value):
            return leaf(compare(field, comparison, value))
        case .oneOf(let field, let values):
            guard !values.isEmpty else { return "(false)" }
            var parts: [String] = []
            for value in values { parts.append(compare(field, .equal, value)) }
            return leaf(parts.joined(separator: " OR "))
        case .within(let field, let window):
            let column = AudienceFilter.timeColumn(field)
            return leaf("\(column) >= \(bind(.real(now.timeIntervalSince1970 - window.timeInterval)))")
        case .before(let field, let bound):
            let column = AudienceFilter.timeColumn(field)
            return leaf("\(column) < \(bind(.real(bound.cutoff(now: now).timeIntervalSince1970)))")
        case .event(let name, let count, let window):
            let counted = """
                (SELECT COUNT(*) FROM events e WHERE e.app_id = i.app_id AND e.type = \(bind(.text(name))) \
                AND e.occurred_at >= \(bind(.real(now.timeIntervalSince1970 - window.timeInterval))) \
                AND (e.installation_id = i.installation_id OR (i.user_id IS NOT NULL AND e.user_id = i.user_id)))
                """
            guard let count else { return leaf("\(counted) > 0") }
            return leaf("\(counted) \(Self.sqlOperator(count.comparison)) \(bind(.integer(count.count)))")
        }
    }

    private func leaf(_ sql: String) -> String {
        "COALESCE((\(sql)), false)"
    }

    private static func sqlOperator(_ comparison: AudienceFilter.ComparisonOperator) -> String {
        comparison == .equal ? "=" : (comparison == .notEqual ? "<>" : comparison.rawValue)
    }

    private mutating func compare(_ field: AudienceFilter.Field, _ comparison: AudienceFilter.ComparisonOperator,
                                  _ value: AudienceFilter.Value) -> String {
        let op = Self.sqlOperator(comparison)
        switch field {
        case .appVersion:
            guard case .string(let literal) = value, let version = SemanticVersion(literal) else { return "false" }
            return "i.app_version_key COLLATE \"C\" \(op) \(bind(.text(version.sortKey)))"
        case .user(let name):
            // The parser allows only [A-Za-z0-9_] in names, so the key is a safe literal.
            let attribute = "u.attributes -> '\(name)'"
            switch value {
            case .string(let text):
                // CASE, not AND: PostgreSQL may evaluate AND's operands in any order.
                return "(CASE WHEN jsonb_typeof(\(attribute)) = 'string' THEN (u.attributes ->> '\(name)') COLLATE \"C\" \(op) \(bind(.text(text))) ELSE false END)"
            case .number(let number):
                return "(CASE WHEN jsonb_typeof(\(attribute)) = 'number' THEN (\(attribute))::double precision \(op) \(bind(.real(number))) ELSE false END)"
            case .bool(let flag):
                switch comparison {
                case .equal: return "((\(attribute)) = '\(flag ? "true" : "false")'::jsonb)"
                case .notEqual: return "((\(attribute)) = '\(flag ? "false" : "true")'::jsonb)"
                default: return "false"
                }
            }
        default:
            guard case .string(let text) = value else { return "false" }
            return "\(AudienceFilter.textColumn(field)) COLLATE \"C\" \(op) \(bind(.text(text)))"
        }
    }
}
