import Foundation

/// A value bound to a placeholder. Absent values keep their type, since PostgreSQL must know a parameter's type
/// even when it is `NULL`.
public enum SQLValue: Sendable, Hashable {
    case text(String?)
    case integer(Int?)
    case real(Double?)
    case blob(Data?)
}

extension SQLValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
}

extension SQLValue {
    /// Seconds since 1970, as times are stored.
    public static func time(_ date: Date?) -> SQLValue { .real(date?.timeIntervalSince1970) }
}
