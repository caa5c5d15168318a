/// A SQL boolean expression with its bound values, in order of their `?` placeholders.
public struct SQLCondition: Sendable, Hashable {
    /// A value bound to a placeholder.
    public enum Binding: Sendable, Hashable {
        case text(String)
        case real(Double)
        case integer(Int)
    }

    public var sql: String
    public var bindings: [Binding]

    public init(_ sql: String, _ bindings: [Binding] = []) {
        self.sql = sql
        self.bindings = bindings
    }
}
