import PerchSQL
import PostgresNIO

extension SQLStatement {
    /// The statement as postgres-nio sends it: placeholders numbered, values bound in order.
    var query: PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): binds.append(text)
            case .integer(let number): binds.append(number)
            case .real(let number): binds.append(number)
            case .blob(let data): binds.append(data.map { ByteBuffer(bytes: $0) })
            }
        }
        return PostgresQuery(unsafeSQL: SQLDialect.postgres.text(sql), binds: binds)
    }
}
