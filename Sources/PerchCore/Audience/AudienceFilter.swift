import Foundation

/// A parsed audience filter: the language segments and campaigns are written in.
///
/// ```
/// platform == "apns" and appVersion >= "2.3" and user.plan in ["pro", "team"]
/// lastSeenAt within 30d and not event("purchase") within 7d
/// known and (locale == "de-DE" or timezone == "Europe/Berlin") and event("opened") count >= 3 within 30d
/// ```
///
/// It is evaluated in memory (``AudienceFilter/matches(_:now:)``) and compiled to SQL
/// (``AudienceFilter/sql(dialect:now:)``); a property test holds the two to the same answer.
public indirect enum AudienceFilter: Sendable, Hashable {
    case and(AudienceFilter, AudienceFilter)
    case or(AudienceFilter, AudienceFilter)
    case not(AudienceFilter)
    /// `field op value`
    case compare(Field, ComparisonOperator, Value)
    /// `field in [v1, v2]`
    case oneOf(Field, [Value])
    /// `timeField within 30d`: at or after `now - window`.
    case within(TimeField, Duration)
    /// `timeField before 30d` (earlier than 30 days ago) or `before "2026-01-01T00:00:00Z"`.
    case before(TimeField, TimeBound)
    /// `known` (bound to a user) or `anonymous`.
    case known(Bool)
    /// `event("name") [count op N] within 1h`: the installation's — or, when known, its user's — events.
    case event(name: String, count: CountCondition?, window: Duration)

    /// A field compared with values.
    public enum Field: Sendable, Hashable {
        case platform, appVersion, locale, timezone, status, consent
        /// `user.<name>`: a user attribute.
        case user(String)
    }

    /// A field holding a time.
    public enum TimeField: String, Sendable, Hashable {
        case lastSeenAt, lastOpenedAt, createdAt
    }

    public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

        func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch self {
            case .equal: a == b
            case .notEqual: a != b
            case .less: a < b
            case .lessOrEqual: a <= b
            case .greater: a > b
            case .greaterOrEqual: a >= b
            }
        }
    }

    /// A literal.
    public enum Value: Sendable, Hashable {
        case string(String)
        case number(Double)
        case bool(Bool)
    }

    /// `before 30d` is relative to now; `before "…"` an absolute time.
    public enum TimeBound: Sendable, Hashable {
        case ago(Duration)
        case instant(Date)
    }

    /// `count >= 3`
    public struct CountCondition: Sendable, Hashable {
        public var comparison: ComparisonOperator
        public var count: Int
        public init(_ comparison: ComparisonOperator, _ count: Int) {
            self.comparison = comparison
            self.count = count
        }
    }
}
