import Foundation
import GRDB
import PerchSQL
import PerchStore

/// The SQLite store as the statement layer runs it (the shared implementations of the store protocols become its own).
extension SQLiteStore: SQLStore {
    public var dialect: SQLDialect { .sqlite }

    public func rows<T: Sendable>(_ statement: SQLStatement, _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T] {
        try await pool.read { db in try db.rows(statement).map { try decode($0) } }
    }

    public func write<T: Sendable>(guard first: SQLStatement, then: [SQLStatement],
                                   _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T] {
        try await pool.write { db in
            let matched = try db.rows(first).map { try decode($0) }
            if !matched.isEmpty { for statement in then { try db.execute(statement) } }
            return matched
        }
    }

    public func execute(_ statements: [SQLStatement]) async throws {
        try await pool.write { db in for statement in statements { try db.execute(statement) } }
    }

    public func transaction<T: Sendable>(_ plan: SQLPlan<T>, readOnly: Bool) async throws -> T {
        readOnly ? try await pool.read { db in try plan.drive { try db.rows($0) } } : try await pool.write { db in try plan.drive { try db.rows($0) } }
    }

    public func forgetErased() async throws { try checkpoint() }

    public func counts(_ statements: [SQLStatement]) async throws -> [Int] {
        try await pool.write { db in try statements.map { try db.rows($0).count } }
    }
}

extension SQLiteStore: CoordinationStore, HealthStore, OperationsStore, TokenTransferStore, AnalyticsStore, AppStore, AudienceStore {}
