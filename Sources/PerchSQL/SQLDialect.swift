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

    /// Whether text `haystack` contains the text `needle` (SQL expressions).
    public func contains(_ haystack: String, _ needle: String) -> String {
        self == .postgres ? "strpos(\(haystack), \(needle)) > 0" : "instr(\(haystack), \(needle)) > 0"
    }

    /// Whether the JSON array at `path` (object keys) in JSON column `column` holds any of `count` values, bound to
    /// as many placeholders.
    public func jsonArray(_ column: String, at path: [String], holdsAnyOf count: Int) -> String {
        guard count > 0 else { return "FALSE" }
        switch self {
        case .sqlite:
            let placeholders = Array(repeating: "?", count: count).joined(separator: ", ")
            return "EXISTS (SELECT 1 FROM json_each(\(column), '$.\(path.joined(separator: "."))') WHERE value IN (\(placeholders)))"
        case .postgres:
            let array = "COALESCE(\(column)->" + path.map { "'\($0)'" }.joined(separator: "->") + ", '[]'::jsonb)"
            return "(" + Array(repeating: "jsonb_exists(\(array), ?)", count: count).joined(separator: " OR ") + ")"
        }
    }

    /// Statements that take transaction-scoped locks on `keys` in a fixed order, so writers that must not interleave
    /// (a registration and an erasure of one installation) queue behind each other: PostgreSQL's advisory locks. SQLite
    /// needs none: its one writer already excludes every other.
    public func locks(_ keys: some Sequence<String>) -> [SQLStatement] {
        let sorted = Set(keys).sorted()
        guard self == .postgres, !sorted.isEmpty else { return [] }
        return [SQLStatement("""
            SELECT \(Self.advisoryLock("k")) FROM (VALUES \(Array(repeating: "(?)", count: sorted.count).joined(separator: ", "))) AS v(k)
            """, sorted.map { .text($0) })]
    }

    /// PostgreSQL's transaction-scoped advisory lock on the text key `key` (an SQL expression). Every writer that locks
    /// a key goes through this, so they hash it alike and exclude each other.
    public static func advisoryLock(_ key: String) -> String { "pg_advisory_xact_lock(hashtextextended(\(key), 0))" }
}
