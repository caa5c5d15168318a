import Foundation

/// Rows sent to either backend as one JSON parameter (`jsonb_to_recordset` in PostgreSQL, `json_each` in SQLite): a
/// whole batch in one statement of fixed text, whatever its size. Keys are the properties' names in snake_case; a
/// `nil` property is left out, which both read as NULL (written by ``RecordSetEncoder``). Doubles are written in their shortest round-trip form, so
/// they read back the same bits. (PostgreSQL takes a record set rather than `unnest` of arrays because postgres-nio
/// binds no arrays of optionals.)
public enum SQLRecordSet {
    /// The rows as a JSON array of objects.
    public static func json<Row: Encodable>(_ rows: [Row]) throws -> String {
        try RecordSetEncoder().json(rows)
    }
}
