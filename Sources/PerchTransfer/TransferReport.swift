/// What a move copied, table by table, with the checks that passed.
public struct TransferReport: Sendable, Hashable {
    public struct Table: Sendable, Hashable {
        public var name: String
        /// Rows in the source, counted before and after the copy.
        public var sourceRows: Int
        /// Rows in the target, counted after the copy.
        public var targetRows: Int
        /// The rows as read from the source.
        public var sourceChecksum: TableChecksum
        /// The rows as read back from the target.
        public var targetChecksum: TableChecksum

        /// Counts and checksums agree.
        public var verified: Bool { sourceRows == targetRows && sourceChecksum == targetChecksum }
    }

    public var tables: [Table]

    public var verified: Bool { tables.allSatisfy(\.verified) }
    public var totalRows: Int { tables.reduce(0) { $0 + $1.targetRows } }
}
