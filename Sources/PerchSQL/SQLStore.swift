import PerchCore

/// What the store code written once needs of a backend: its dialect, the rows of a statement, and writes run in
/// one transaction. Both stores conform, and the shared implementations of the store protocols (in this target)
/// become theirs.
///
/// A shared write that depends on what it read is a compare-and-set: it reads, lets the core decide, then writes
/// with a guard statement that matches only the row as read (`… WHERE status = ? RETURNING …`). If another writer
/// got there first the guard matches nothing, nothing is written, and the caller reads and decides again. So the
/// same code is correct under SQLite's single writer and PostgreSQL's concurrent transactions alike.
public protocol SQLStore: Sendable {
    var dialect: SQLDialect { get }

    /// What seals the stored tokens, for the shared reads that give them back.
    var vault: TokenVault { get }

    /// The rows of one statement, decoded as they are read.
    func rows<T: Sendable>(_ statement: SQLStatement, _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T]

    /// In one transaction: runs `guard`; if it answers at least one row, runs `then` in order. Answers the guard's
    /// rows, decoded (none: nothing was written).
    func write<T: Sendable>(guard: SQLStatement, then: [SQLStatement], _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T]

    /// Runs `statements` in order, in one transaction.
    func execute(_ statements: [SQLStatement]) async throws

    /// Runs `statements` in order, in one transaction, and answers how many rows each answered (a write's
    /// `RETURNING 1`: the rows it changed).
    func counts(_ statements: [SQLStatement]) async throws -> [Int]

    /// Drives `plan` in one transaction (``SQLPlan``); `readOnly`, in one consistent snapshot that writes nothing.
    func transaction<T: Sendable>(_ plan: SQLPlan<T>, readOnly: Bool) async throws -> T

    /// Called after an erasure committed: a store that keeps deleted rows anywhere (SQLite's write-ahead log) drops them.
    func forgetErased() async throws
}

extension SQLStore {
    /// The first row of one statement, decoded; `nil` when it answers none.
    public func row<T: Sendable>(_ statement: SQLStatement, _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> T? {
        try await rows(statement, decode).first
    }
}
