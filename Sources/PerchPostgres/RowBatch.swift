import PostgresNIO

/// One multi-row `INSERT … VALUES (…), (…)` with every value bound: the batched write path
/// (events, `perch migrate`). A statement holds at most 65,535 parameters; callers flush
/// batches well below that (``isFull``).
package struct RowBatch {
    package let table: String
    package let columns: [String]
    /// A cast per column (`jsonb`, …), since bound text does not turn into `jsonb` by itself.
    package let casts: [String: String]
    /// Appended after the VALUES list, e.g. `ON CONFLICT DO NOTHING`.
    let suffix: String
    private(set) var bindings = PostgresBindings()
    private(set) var rowCount = 0

    package init(table: String, columns: [String], casts: [String: String] = [:], suffix: String = "") {
        self.table = table
        self.columns = columns
        self.casts = casts
        self.suffix = suffix
    }

    /// Adds one row; `bind` must append exactly one value per column, in column order.
    package mutating func append(_ bind: (inout PostgresBindings) throws -> Void) rethrows {
        let before = bindings.count
        try bind(&bindings)
        precondition(bindings.count - before == columns.count, "a row of \(table) must bind \(columns.count) values")
        rowCount += 1
    }

    package var isEmpty: Bool { rowCount == 0 }

    /// Whether the next row would take the statement near the parameter limit.
    package var isFull: Bool { (rowCount + 1) * columns.count > 30_000 }

    /// The statement for every row appended so far.
    package var query: PostgresQuery {
        query { "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \($0)" + (suffix.isEmpty ? "" : " " + suffix) }
    }

    /// A statement built around the rows as a VALUES list (`(…), (…)`, every value bound and cast as declared), such as
    /// `UPDATE … FROM (VALUES …) AS v (…)`.
    package func query(around statement: (String) -> String) -> PostgresQuery {
        var values = ""
        var parameter = 1
        for row in 0..<rowCount {
            if row > 0 { values += ", " }
            values += "("
            for (index, column) in columns.enumerated() {
                if index > 0 { values += ", " }
                values += "$\(parameter)"
                if let cast = casts[column] { values += "::" + cast }
                parameter += 1
            }
            values += ")"
        }
        return PostgresQuery(unsafeSQL: statement(values), binds: bindings)
    }
}
