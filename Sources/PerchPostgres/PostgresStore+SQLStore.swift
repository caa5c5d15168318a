import PerchSQL
import PerchStore
import PostgresNIO

/// The PostgreSQL store as the statement layer runs it (the shared implementations of the store protocols become its own).
extension PostgresStore: SQLStore {
    public var dialect: SQLDialect { .postgres }

    public func rows<T: Sendable>(_ statement: SQLStatement, _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T] {
        try await rows(statement.query).map { try decode($0) }
    }

    public func write<T: Sendable>(guard first: SQLStatement, then: [SQLStatement],
                                   _ decode: @escaping @Sendable (any SQLRow) throws -> T) async throws -> [T] {
        let logger = self.logger
        return try await transaction { db in
            let matched = try await db.rows(first.query, logger: logger).map { try decode($0) }
            if !matched.isEmpty { for statement in then { try await db.run(statement.query, logger: logger) } }
            return matched
        }
    }

    public func execute(_ statements: [SQLStatement]) async throws {
        let logger = self.logger
        try await transaction { db in for statement in statements { try await db.run(statement.query, logger: logger) } }
    }

    public func transaction<T: Sendable>(_ plan: SQLPlan<T>, readOnly: Bool) async throws -> T {
        let logger = self.logger
        return try await transaction { db in
            if readOnly { try await db.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger) }
            return try await plan.drive { try await db.rows($0.query, logger: logger) }
        }
    }

    public func forgetErased() async throws {}

    public func counts(_ statements: [SQLStatement]) async throws -> [Int] {
        let logger = self.logger
        return try await transaction { db in
            var counts: [Int] = []
            for statement in statements { counts.append(try await db.rows(statement.query, logger: logger).count) }
            return counts
        }
    }
}

extension PostgresStore: CoordinationStore, HealthStore, OperationsStore, TokenTransferStore, AnalyticsStore, AppStore, AudienceStore {}
