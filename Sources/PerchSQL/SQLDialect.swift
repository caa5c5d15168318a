/// The two SQL dialects Perch stores in. Statements are written once, with `?` placeholders and the SQL both
/// dialects share; a dialect says only where they differ.
public enum SQLDialect: Sendable, Hashable {
    case sqlite
    case postgres

    /// `sql` as this dialect takes it: PostgreSQL numbers its placeholders (`$1`, `$2`, … in order of appearance,
    /// `?` inside a quoted literal or identifier left alone), SQLite takes `?` as written.
    public func text(_ sql: String) -> String {
        guard self == .postgres else { return sql }
        var text = ""
        text.reserveCapacity(sql.utf8.count + 16)
        var parameter = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                text.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                text.append(character)
            } else if character == "?" {
                parameter += 1
                text += "$\(parameter)"
            } else {
                text.append(character)
            }
        }
        return text
    }

    /// What locks the rows a `SELECT` reads until the transaction ends. SQLite has one writer at a time, so a read
    /// inside its write transaction is already exclusive.
    public var forUpdate: String { self == .postgres ? " FOR UPDATE" : "" }

    /// The smaller of two SQL expressions (SQLite's two-argument `MIN`, PostgreSQL's `LEAST`).
    public func least(_ a: String, _ b: String) -> String { self == .postgres ? "LEAST(\(a), \(b))" : "MIN(\(a), \(b))" }

    /// The larger of two SQL expressions (SQLite's two-argument `MAX`, PostgreSQL's `GREATEST`).
    public func greatest(_ a: String, _ b: String) -> String { self == .postgres ? "GREATEST(\(a), \(b))" : "MAX(\(a), \(b))" }

    /// JSON text (a placeholder or expression) as a JSON column stores it: `jsonb` in PostgreSQL, the text itself in
    /// SQLite. (Read back, `CAST(column AS TEXT)` gives the text in both.)
    public func json(_ text: String) -> String { self == .postgres ? "CAST(\(text) AS jsonb)" : text }
}
