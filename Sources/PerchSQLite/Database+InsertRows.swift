import GRDB

extension Database {
    /// The most rows one `INSERT` takes: 64 rows of a dozen columns stay far below every SQLite's parameter limit.
    static let rowsPerInsert = 64

    /// Inserts rows into `table`, `values` holding one value per column for each row in turn, with multi-row `INSERT`s.
    ///
    /// One statement per row is what a batch of 1,000 events must not do: inside the write batcher's savepoint each
    /// statement's own savepoint, when released, walks the whole in-memory sub-journal the batch has filled so far, so
    /// the batch's cost grew with the square of its size. Row counts are powers of two, so a connection compiles at most
    /// seven statements per table and reuses them.
    func insertRows(into table: String, columns: [String], values: [(any DatabaseValueConvertible)?]) throws {
        precondition(values.count % columns.count == 0, "every row of \(table) binds \(columns.count) values")
        var start = 0
        var rowsLeft = values.count / columns.count
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        while rowsLeft > 0 {
            var rows = Self.rowsPerInsert
            while rows > rowsLeft { rows /= 2 }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                + Array(repeating: row, count: rows).joined(separator: ", ")
            let end = start + rows * columns.count
            try cachedStatement(sql: sql).execute(arguments: StatementArguments(values[start..<end]))
            start = end
            rowsLeft -= rows
        }
    }
}
