import GRDB

extension Database {
    /// The most rows one `INSERT` takes.
    static let rowsPerInsert = 64
    /// The most values one statement binds: SQLite's limit before 3.32, so every SQLite takes the statement.
    static let valuesPerInsert = 999

    /// Inserts rows into `table`, `values` holding one value per column for each row in turn, with multi-row `INSERT`s
    /// ending in `onConflict` (an upsert clause, or nothing).
    ///
    /// One statement per row is what a batch of 1,000 events must not do: inside the write batcher's savepoint each
    /// statement's own savepoint, when released, walks the whole in-memory sub-journal the batch has filled so far, so
    /// the batch's cost grew with the square of its size. Row counts are powers of two, so a connection compiles at most
    /// seven statements per table and reuses them.
    func insertRows(into table: String, columns: [String], values: [(any DatabaseValueConvertible)?], onConflict: String = "") throws {
        precondition(values.count % columns.count == 0, "every row of \(table) binds \(columns.count) values")
        var start = 0
        var rowsLeft = values.count / columns.count
        var mostRows = Self.rowsPerInsert
        while mostRows > 1 && mostRows * columns.count > Self.valuesPerInsert { mostRows /= 2 }
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        while rowsLeft > 0 {
            var rows = mostRows
            while rows > rowsLeft { rows /= 2 }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: row, count: rows).joined(separator: ", ") + (onConflict.isEmpty ? "" : " " + onConflict)
            let end = start + rows * columns.count
            try cachedStatement(sql: sql).execute(arguments: StatementArguments(values[start..<end]))
            start = end
            rowsLeft -= rows
        }
    }
}
