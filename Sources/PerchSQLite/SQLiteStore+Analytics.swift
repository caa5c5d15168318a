import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: AnalyticsStore {
    static let day = 86_400.0

    public func tokenGrowth(appId: String, filter: TokenHealth.Filter, days: Int, now: Date) async throws -> [DailyTokenCount] {
        let (populationWhere, arguments) = Self.populationFilter(appId: appId, filter, appColumn: "t.app_id", platformColumn: "t.platform")
        let population = "FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id WHERE \(populationWhere)"
        let start = DailyTokenCount.seriesStart(days: days, now: now).stored
        return try await pool.read { db in
            // Live at the window's start, then each day's arrivals and departures: one pass each, summed in order.
            let base = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) \(population) AND t.created_at < ? AND (t.status IN ('active', 'stale') OR t.status_at >= ?)
                """, arguments: arguments + [start, start]) ?? 0
            func byDay(_ sql: String) throws -> [Int: Int] {
                Dictionary(try Row.fetchAll(db, sql: sql, arguments: [start] + arguments + [start]).map { row -> (Int, Int) in (row["d"], row["n"]) }, uniquingKeysWith: +)
            }
            return DailyTokenCount.series(
                start: Date(stored: start), days: days, liveAtStart: base,
                registered: try byDay("SELECT CAST((t.created_at - ?) / 86400 AS INTEGER) AS d, COUNT(*) AS n \(population) AND t.created_at >= ? GROUP BY d"),
                retired: try byDay("""
                    SELECT CAST((t.status_at - ?) / 86400 AS INTEGER) AS d, COUNT(*) AS n \(population)
                    AND t.status NOT IN ('active', 'stale') AND t.status_at >= ? GROUP BY d
                    """))
        }
    }

    public func tokenSurvival(appId: String, filter: TokenHealth.Filter, weeks: Int, checkpoints: [Int], now: Date) async throws -> [SurvivalCohort] {
        let (populationWhere, arguments) = Self.populationFilter(appId: appId, filter, appColumn: "t.app_id", platformColumn: "t.platform")
        let week = 7 * Self.day
        // Weeks start on Monday (1970-01-01 was a Thursday; the first Monday was 4 days later).
        let monday = ((now.stored - 4 * Self.day) / week).rounded(.down) * week + 4 * Self.day
        let start = monday - Double(weeks - 1) * week
        let columns: String = checkpoints.enumerated().map { index, days -> String in
            let age = Double(days) * Self.day
            return """
                SUM(CASE WHEN t.created_at + \(age) <= ? THEN 1 ELSE 0 END) AS measured\(index),
                SUM(CASE WHEN t.created_at + \(age) <= ? AND (t.status IN ('active', 'stale') OR t.status_at > t.created_at + \(age)) THEN 1 ELSE 0 END) AS alive\(index)
                """
        }.joined(separator: ",\n")
        let nowArguments = StatementArguments(checkpoints.flatMap { _ in [now.stored, now.stored] })
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT CAST((t.created_at - ?) / \(week) AS INTEGER) AS w, t.platform, COUNT(*) AS n\(checkpoints.isEmpty ? "" : ",\n" + columns)
                FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE \(populationWhere) AND t.created_at >= ?
                GROUP BY w, t.platform ORDER BY w, t.platform
                """, arguments: [start] + nowArguments + arguments + [start]).map { row in
                SurvivalCohort(
                    weekStart: Date(stored: start + Double(row["w"] as Int) * week), platform: row["platform"], registered: row["n"],
                    points: checkpoints.enumerated().map { index, days in
                        let measured: Int = row["measured\(index)"] ?? 0, alive: Int = row["alive\(index)"] ?? 0
                        return .init(days: days, measured: measured, alive: alive, share: TokenHealth.ratio(alive, measured))
                    })
            }
        }
    }

    public func optInBreakdown(appId: String, filter: TokenHealth.Filter, since: Date?, until: Date?) async throws -> [OptInBreakdown] {
        let (populationWhere, arguments) = Self.populationFilter(appId: appId, filter, appColumn: "p.app_id", platformColumn: "i.platform")
        return try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.platform, i.app_version, COALESCE(json_extract(p.properties, '$.strategy'), 'unknown') AS strategy,
                       COUNT(DISTINCT p.installation_id) AS prompted,
                       COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM events g WHERE g.app_id = p.app_id AND g.installation_id = p.installation_id
                                                        AND g.type = 'permission_granted' AND g.occurred_at >= p.occurred_at)
                                           THEN p.installation_id END) AS granted
                FROM events p JOIN installations i ON i.app_id = p.app_id AND i.installation_id = p.installation_id
                WHERE \(populationWhere) AND p.type = 'prompt_shown' AND p.occurred_at >= ? AND p.occurred_at <= ?
                GROUP BY i.platform, i.app_version, strategy ORDER BY i.platform, i.app_version, strategy
                """, arguments: arguments + [since?.stored ?? 0, until?.stored ?? Double.greatestFiniteMagnitude]).map { row in
                let prompted: Int = row["prompted"], granted: Int = row["granted"]
                return OptInBreakdown(platform: row["platform"], appVersion: row["app_version"], strategy: row["strategy"],
                                      prompted: prompted, granted: granted, rate: TokenHealth.ratio(granted, prompted))
            }
        }
    }

    public func exportRows(appId: String, of kind: ExportKind, campaignId: String?, after: String?, limit: Int) async throws
        -> (rows: [[String: JSONValue]], next: String?) {
        try await pool.read { db in
            let (time, text, integer) = (ExportCell.time, ExportCell.text, ExportCell.integer)
            var rows: [[String: JSONValue]] = []
            var cursor: String?
            switch kind {
            case .deliveries:
                for row in try Row.fetchAll(db, sql: """
                    SELECT * FROM deliveries WHERE app_id = ? AND (? IS NULL OR campaign_id = ?) AND id > ? ORDER BY id LIMIT ?
                    """, arguments: [appId, campaignId, campaignId, after ?? "", limit]) {
                    let occurrence: String = row["occurrence"]
                    rows.append([
                        "id": text(row["id"]), "campaignId": text(row["campaign_id"]), "occurrence": text(occurrence.isEmpty ? nil : occurrence),
                        "tokenId": text(row["token_id"]), "installationId": text(row["installation_id"]), "userId": text(row["user_id"]),
                        "platform": text(row["platform"]), "variant": integer(row["variant"]), "state": text(row["state"]),
                        "outcome": text(row["outcome"]), "reason": text(row["reason"]), "attempts": integer(row["attempts"]),
                        "dueAt": time(row["due_at"]), "acceptedAt": time(row["accepted_at"]), "createdAt": time(row["created_at"]),
                        "updatedAt": time(row["updated_at"]),
                    ])
                    cursor = row["id"]
                }
            case .events:
                for row in try Row.fetchAll(db, sql: """
                    SELECT * FROM events WHERE app_id = ? AND (? IS NULL OR campaign_id = ?) AND seq > ? ORDER BY seq LIMIT ?
                    """, arguments: [appId, campaignId, campaignId, Int(after ?? "0") ?? 0, limit]) {
                    let seq: Int = row["seq"]
                    rows.append([
                        "seq": .integer(seq), "id": text(row["id"]), "type": text(row["type"]), "installationId": text(row["installation_id"]),
                        "userId": text(row["user_id"]), "campaignId": text(row["campaign_id"]), "deliveryId": text(row["delivery_id"]),
                        "value": (row["value"] as Double?).map(JSONValue.number) ?? .null, "currency": text(row["currency"]),
                        "occurredAt": time(row["occurred_at"]), "receivedAt": time(row["received_at"]),
                        "properties": (row["properties"] as String?).flatMap { JSONValue(jsonText: $0) } ?? .null,
                    ])
                    cursor = String(seq)
                }
            case .tokens:
                for row in try Row.fetchAll(db, sql: """
                    SELECT t.id, t.installation_id, i.user_id, t.platform, t.environment, t.status, t.status_reason, t.status_at,
                           t.created_at, t.last_seen_at, t.last_token_update_at
                    FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                    WHERE t.app_id = ? AND t.id > ? ORDER BY t.id LIMIT ?
                    """, arguments: [appId, after ?? "", limit]) {
                    rows.append([
                        "id": text(row["id"]), "installationId": text(row["installation_id"]), "userId": text(row["user_id"]),
                        "platform": text(row["platform"]), "environment": text(row["environment"]), "status": text(row["status"]),
                        "statusReason": text(row["status_reason"]), "statusAt": time(row["status_at"]), "createdAt": time(row["created_at"]),
                        "lastSeenAt": time(row["last_seen_at"]), "lastTokenUpdateAt": time(row["last_token_update_at"]),
                    ])
                    cursor = row["id"]
                }
            }
            return (rows, rows.count < limit ? nil : cursor)
        }
    }
}
