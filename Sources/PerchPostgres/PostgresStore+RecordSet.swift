import Foundation
import PerchSQL

extension PostgresStore {
    /// Rows as one `jsonb` parameter (``SQLRecordSet``), read back with `jsonb_to_recordset(…) AS r(column type, …)`:
    /// postgres-nio binds no arrays of optionals, which `unnest` would need.
    static func recordSet<Row: Encodable>(_ rows: [Row]) throws -> String {
        try SQLRecordSet.json(rows)
    }
}
