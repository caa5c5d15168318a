import Foundation
import GRDB
import PerchSQL

extension Database {
    /// Runs a statement written once for both dialects, compiled once per connection.
    func execute(_ statement: SQLStatement) throws {
        try executeCached(sql: statement.sql, arguments: statement.arguments)
    }

    /// The rows of a statement written once for both dialects.
    func rows(_ statement: SQLStatement) throws -> [Row] {
        try fetchAllCached(sql: statement.sql, arguments: statement.arguments)
    }
}

extension SQLStatement {
    /// The values as GRDB binds them (SQLite takes the `?` placeholders as written).
    var arguments: StatementArguments { StatementArguments(values) }
}

extension StatementArguments {
    init(_ values: [SQLValue]) {
        self.init(values.map { value -> DatabaseValue in
            switch value {
            case .text(let text): text?.databaseValue ?? .null
            case .integer(let number): number?.databaseValue ?? .null
            case .real(let number): number?.databaseValue ?? .null
            case .blob(let data): data?.databaseValue ?? .null
            }
        })
    }
}
