import Foundation

extension PostgresStore {
    /// Rows sent as one `jsonb` parameter and read back with `jsonb_to_recordset(…) AS r(column type, …)`: a whole
    /// batch in one statement of fixed text, whatever its size, with NULLs where a value is `nil` (postgres-nio binds
    /// no arrays of optionals, which `unnest` would need). Keys are the properties' names in snake_case; a `nil`
    /// property is left out, which the record set reads as NULL. Doubles are written in their shortest round-trip
    /// form, so `double precision` reads back the same bits.
    static func recordSet<Row: Encodable>(_ rows: [Row]) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(rows), as: UTF8.self)
    }
}
