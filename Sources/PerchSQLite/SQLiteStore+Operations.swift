import Foundation
import GRDB
import PerchCore
import PerchStore

extension SQLiteStore: OperationsStore {
    public func queueDepth(now: Date) async throws -> [QueueDepth] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT app_id,
                       SUM(due_at <= :now) AS due,
                       SUM(state IN ('pending', 'retry') AND due_at > :now) AS waiting,
                       SUM(state = 'sending' AND due_at > :now) AS in_flight
                FROM deliveries WHERE state IN ('pending', 'retry', 'sending')
                GROUP BY app_id ORDER BY app_id
                """, arguments: ["now": now.stored]).map { row in
                QueueDepth(appId: row["app_id"], due: row["due"], waiting: row["waiting"], inFlight: row["in_flight"])
            }
        }
    }

    public func tokenCounts() async throws -> [TokenCount] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT app_id, platform, status, COUNT(*) AS n FROM tokens GROUP BY app_id, platform, status ORDER BY app_id, platform, status
                """).compactMap { row in
                guard let platform = Platform(rawValue: row["platform"]), let status = TokenStatusName(rawValue: row["status"]) else { return nil }
                return TokenCount(appId: row["app_id"], platform: platform, status: status, count: row["n"])
            }
        }
    }
}
