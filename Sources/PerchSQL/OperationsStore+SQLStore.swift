import Foundation
import PerchCore
import PerchStore

/// What an operator reads of the queue and the registry, written once for every ``SQLStore``.
extension OperationsStore where Self: SQLStore {
    public func queueDepth(now: Date) async throws -> [QueueDepth] {
        try await rows(SQLStatement("""
            SELECT app_id,
                   COUNT(*) FILTER (WHERE due_at <= ?),
                   COUNT(*) FILTER (WHERE state IN ('pending', 'retry') AND due_at > ?),
                   COUNT(*) FILTER (WHERE state = 'sending' AND due_at > ?)
            FROM deliveries WHERE state IN ('pending', 'retry', 'sending')
            GROUP BY app_id ORDER BY app_id
            """, [.time(now), .time(now), .time(now)])) { row in
            QueueDepth(appId: try row.text(required: 0), due: try row.integer(required: 1), waiting: try row.integer(required: 2),
                       inFlight: try row.integer(required: 3))
        }
    }

    public func tokenCounts() async throws -> [TokenCount] {
        try await rows(SQLStatement("SELECT app_id, platform, status, COUNT(*) FROM tokens GROUP BY app_id, platform, status ORDER BY 1, 2, 3")) { row in
            (try row.text(required: 0), try row.text(required: 1), try row.text(required: 2), try row.integer(required: 3))
        }.compactMap { appId, platform, status, count in
            guard let platform = Platform(rawValue: platform), let status = TokenStatusName(rawValue: status) else { return nil }
            return TokenCount(appId: appId, platform: platform, status: status, count: count)
        }
    }
}
