import Foundation
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore: OperationsStore {
    public func queueDepth(now: Date) async throws -> [QueueDepth] {
        let at = now.timeIntervalSince1970
        return try await rows("""
            SELECT app_id,
                   COUNT(*) FILTER (WHERE due_at <= \(at)),
                   COUNT(*) FILTER (WHERE state IN ('pending', 'retry') AND due_at > \(at)),
                   COUNT(*) FILTER (WHERE state = 'sending' AND due_at > \(at))
            FROM deliveries WHERE state IN ('pending', 'retry', 'sending')
            GROUP BY app_id ORDER BY app_id
            """).map { row in
            let (appId, due, waiting, inFlight) = try row.decode((String, Int, Int, Int).self)
            return QueueDepth(appId: appId, due: due, waiting: waiting, inFlight: inFlight)
        }
    }

    public func tokenCounts() async throws -> [TokenCount] {
        try await rows("SELECT app_id, platform, status, COUNT(*) FROM tokens GROUP BY app_id, platform, status ORDER BY 1, 2, 3")
            .compactMap { row in
                let (appId, platform, status, count) = try row.decode((String, String, String, Int).self)
                guard let platform = Platform(rawValue: platform), let status = TokenStatusName(rawValue: status) else { return nil }
                return TokenCount(appId: appId, platform: platform, status: status, count: count)
            }
    }
}
