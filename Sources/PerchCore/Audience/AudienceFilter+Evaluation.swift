import Foundation

extension AudienceFilter {
    /// Whether the subject is in the audience at `now`. Comparisons on a missing field, or on
    /// an attribute of another type, are false (and so `not` of them is true) — exactly as the SQL.
    public func matches(_ subject: AudienceSubject, now: Date) -> Bool {
        switch self {
        case .and(let a, let b): return a.matches(subject, now: now) && b.matches(subject, now: now)
        case .or(let a, let b): return a.matches(subject, now: now) || b.matches(subject, now: now)
        case .not(let inner): return !inner.matches(subject, now: now)
        case .known(let known): return (subject.userId != nil) == known
        case .compare(let field, let comparison, let value): return Self.compare(field, comparison, value, subject)
        case .oneOf(let field, let values): return values.contains { Self.compare(field, .equal, $0, subject) }
        case .within(let field, let window):
            guard let time = Self.time(field, subject) else { return false }
            return time >= now.addingTimeInterval(-window.timeInterval)
        case .before(let field, let bound):
            guard let time = Self.time(field, subject) else { return false }
            return time < bound.cutoff(now: now)
        case .event(let name, let count, let window):
            let since = now.addingTimeInterval(-window.timeInterval)
            let n = subject.events.filter { $0.name == name && $0.at >= since && subject.concerns($0) }.count
            guard let count else { return n > 0 }
            return count.comparison.holds(n, count.count)
        }
    }

    static func time(_ field: TimeField, _ subject: AudienceSubject) -> Date? {
        switch field {
        case .lastSeenAt: subject.lastSeenAt
        case .createdAt: subject.createdAt
        case .lastOpenedAt: subject.lastOpenedAt
        }
    }

    static func compare(_ field: Field, _ comparison: ComparisonOperator, _ value: Value, _ subject: AudienceSubject) -> Bool {
        switch field {
        case .appVersion:
            guard case .string(let literal) = value, let wanted = SemanticVersion(literal),
                  let have = subject.appVersion.flatMap(SemanticVersion.init) else { return false }
            return comparison.holds(have.sortKey, wanted.sortKey)
        case .user(let name):
            switch (subject.userAttributes[name], value) {
            case (.string(let a)?, .string(let b)): return comparison.holds(a, b)
            case (let attribute?, .number(let b)):
                guard let a = attribute.numberValue else { return false }
                return comparison.holds(a, b)
            case (.bool(let a)?, .bool(let b)):
                switch comparison {
                case .equal: return a == b
                case .notEqual: return a != b
                default: return false
                }
            default: return false
            }
        default:
            guard case .string(let literal) = value, let have = Self.text(field, subject) else { return false }
            return comparison.holds(have, literal)
        }
    }

    static func text(_ field: Field, _ subject: AudienceSubject) -> String? {
        switch field {
        case .platform: subject.platform.rawValue
        case .locale: subject.locale
        case .timezone: subject.timezone
        case .status: subject.status.rawValue
        case .consent: subject.consent?.rawValue
        case .appVersion, .user: nil
        }
    }
}

extension AudienceFilter.TimeBound {
    public func cutoff(now: Date) -> Date {
        switch self {
        case .ago(let duration): now.addingTimeInterval(-duration.timeInterval)
        case .instant(let date): date
        }
    }
}
