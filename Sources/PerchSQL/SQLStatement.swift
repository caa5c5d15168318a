/// One statement written once for both dialects: its text, with `?` placeholders, and the values bound to them
/// in order.
public struct SQLStatement: Sendable, Hashable {
    public var sql: String
    public var values: [SQLValue]

    public init(_ sql: String, _ values: [SQLValue] = []) {
        self.sql = sql
        self.values = values
    }
}
