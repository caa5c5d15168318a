import Foundation
import PerchCore

extension AudienceFilter {
    /// The filter as a SQLite condition over `tokens t`, `installations i` (joined on the token's
    /// installation) and `users u` (left-joined on the installation's user), with `events` read in
    /// sub-queries. Times are seconds since 1970, as stored. Every leaf is wrapped in `COALESCE(…, 0)`
    /// so SQL's NULL logic cannot disagree with ``matches(_:now:)`` under `not`.
    public func sqliteCondition(now: Date) -> SQLCondition {
        switch self {
        case .and(let a, let b): return Self.join(a.sqliteCondition(now: now), "AND", b.sqliteCondition(now: now))
        case .or(let a, let b): return Self.join(a.sqliteCondition(now: now), "OR", b.sqliteCondition(now: now))
        case .not(let inner):
            let condition = inner.sqliteCondition(now: now)
            return SQLCondition("(NOT \(condition.sql))", condition.bindings)
        case .known(let known):
            return SQLCondition(known ? "(i.user_id IS NOT NULL)" : "(i.user_id IS NULL)")
        case .compare(let field, let comparison, let value):
            return Self.leaf(Self.compareSQL(field, comparison, value))
        case .oneOf(let field, let values):
            guard !values.isEmpty else { return SQLCondition("(0)") }
            var condition = Self.compareSQL(field, .equal, values[0])
            for value in values.dropFirst() {
                let next = Self.compareSQL(field, .equal, value)
                condition = SQLCondition("\(condition.sql) OR \(next.sql)", condition.bindings + next.bindings)
            }
            return Self.leaf(condition)
        case .within(let field, let window):
            return Self.leaf(SQLCondition("\(Self.timeColumn(field)) >= ?", [.real(now.timeIntervalSince1970 - window.timeInterval)]))
        case .before(let field, let bound):
            return Self.leaf(SQLCondition("\(Self.timeColumn(field)) < ?", [.real(bound.cutoff(now: now).timeIntervalSince1970)]))
        case .event(let name, let count, let window):
            let counted = """
                (SELECT COUNT(*) FROM events e WHERE e.app_id = i.app_id AND e.type = ? AND e.occurred_at >= ? \
                AND (e.installation_id = i.installation_id OR (i.user_id IS NOT NULL AND e.user_id = i.user_id)))
                """
            let bindings: [SQLCondition.Binding] = [.text(name), .real(now.timeIntervalSince1970 - window.timeInterval)]
            guard let count else { return Self.leaf(SQLCondition("\(counted) > 0", bindings)) }
            return Self.leaf(SQLCondition("\(counted) \(Self.sqlOperator(count.comparison)) ?", bindings + [.integer(count.count)]))
        }
    }

    private static func join(_ a: SQLCondition, _ op: String, _ b: SQLCondition) -> SQLCondition {
        SQLCondition("(\(a.sql) \(op) \(b.sql))", a.bindings + b.bindings)
    }

    private static func leaf(_ condition: SQLCondition) -> SQLCondition {
        SQLCondition("COALESCE((\(condition.sql)), 0)", condition.bindings)
    }

    private static func sqlOperator(_ comparison: ComparisonOperator) -> String {
        comparison == .equal ? "=" : comparison.rawValue
    }

    /// The column a text field compares (both dialects).
    static func textColumn(_ field: Field) -> String {
        switch field {
        case .platform: "t.platform"
        case .locale: "i.locale"
        case .timezone: "i.timezone"
        case .status: "t.status"
        default: "i.consent"
        }
    }

    /// The column, or sub-query, a time field compares (both dialects).
    static func timeColumn(_ field: TimeField) -> String {
        switch field {
        case .lastSeenAt: "i.last_seen_at"
        case .createdAt: "i.created_at"
        case .lastOpenedAt:
            "(SELECT MAX(e.occurred_at) FROM events e WHERE e.app_id = i.app_id AND e.installation_id = i.installation_id AND e.type = 'opened')"
        }
    }

    private static func compareSQL(_ field: Field, _ comparison: ComparisonOperator, _ value: Value) -> SQLCondition {
        let op = sqlOperator(comparison)
        switch field {
        case .appVersion:
            guard case .string(let literal) = value, let version = SemanticVersion(literal) else { return SQLCondition("0") }
            return SQLCondition("i.app_version_key \(op) ?", [.text(version.sortKey)])
        case .user(let name):
            let path = "'$.\(name)'"   // the parser allows only [A-Za-z0-9_] in names
            switch value {
            case .string(let text):
                return SQLCondition("(json_type(u.attributes, \(path)) = 'text' AND json_extract(u.attributes, \(path)) \(op) ?)", [.text(text)])
            case .number(let number):
                return SQLCondition("(json_type(u.attributes, \(path)) IN ('integer', 'real') AND json_extract(u.attributes, \(path)) \(op) ?)",
                                    [.real(number)])
            case .bool(let flag):
                switch comparison {
                case .equal: return SQLCondition("(json_type(u.attributes, \(path)) = '\(flag ? "true" : "false")')")
                case .notEqual: return SQLCondition("(json_type(u.attributes, \(path)) = '\(flag ? "false" : "true")')")
                default: return SQLCondition("0")
                }
            }
        default:
            guard case .string(let text) = value else { return SQLCondition("0") }
            return SQLCondition("\(textColumn(field)) \(op) ?", [.text(text)])
        }
    }
}
