import PostgresNIO

extension PostgresRandomAccessRow {
    /// Decodes a whole row as a tuple, in column order.
    func decode<each Column: PostgresDecodable>(_: (repeat each Column).Type) throws -> (repeat each Column) {
        var index = 0
        func next<T: PostgresDecodable>(_: T.Type) throws -> T {
            defer { index += 1 }
            return try self[index].decode(T.self)
        }
        return try (repeat next((each Column).self))
    }
}
