import Foundation
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: AnalyticsStore {
    static let day = 86_400.0

    /// The token-health population's condition: the app, then the filter's platform and app version, bound from `$1`.
    static func population(appId: String, _ filter: TokenHealth.Filter, appColumn: String, platformColumn: String,
                           binds: inout PostgresBindings) -> String {
        binds.append(appId)
        var conditions = ["\(appColumn) = $\(binds.count)"]
        if let platform = filter.platform {
            binds.append(platform.rawValue)
            conditions.append("\(platformColumn) = $\(binds.count)")
        }
        if let version = filter.appVersion {
            binds.append(version)
            conditions.append("i.app_version = $\(binds.count)")
        }
        return conditions.joined(separator: " AND ")
    }

    public func tokenGrowth(appId: String, filter: TokenHealth.Filter, days: Int, now: Date) async throws -> [DailyTokenCount] {
        let start = DailyTokenCount.seriesStart(days: days, now: now).timeIntervalSince1970
        func query(_ select: String, _ condition: String) -> PostgresQuery {
            var binds = PostgresBindings()
            binds.append(start)
            let population = Self.population(appId: appId, filter, appColumn: "t.app_id", platformColumn: "t.platform", binds: &binds)
            return PostgresQuery(unsafeSQL: """
                SELECT \(select) FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE \(population) AND \(condition)
                """, binds: binds)
        }
        // Live at the window's start, then each day's arrivals and departures: one pass each, summed in order. ($1 is the start.)
        let base = try await rows(query("COUNT(*)", "t.created_at < $1 AND (t.status IN ('active', 'stale') OR t.status_at >= $1)"))[0][0]
            .decode(Int.self)
        func byDay(_ query: PostgresQuery) async throws -> [Int: Int] {
            Dictionary(try await rows(query).map { try $0.decode((Int, Int).self) }, uniquingKeysWith: +)
        }
        return DailyTokenCount.series(
            start: Date(timeIntervalSince1970: start), days: days, liveAtStart: base,
            registered: try await byDay(query("trunc((t.created_at - $1) / 86400)::bigint AS d, COUNT(*)", "t.created_at >= $1 GROUP BY d")),
            retired: try await byDay(query("trunc((t.status_at - $1) / 86400)::bigint AS d, COUNT(*)",
                                           "t.status NOT IN ('active', 'stale') AND t.status_at >= $1 GROUP BY d")))
    }

    public func tokenSurvival(appId: String, filter: TokenHealth.Filter, weeks: Int, checkpoints: [Int], now: Date) async throws -> [SurvivalCohort] {
        let week = 7 * Self.day
        // Weeks start on Monday (1970-01-01 was a Thursday; the first Monday was 4 days later).
        let monday = ((now.timeIntervalSince1970 - 4 * Self.day) / week).rounded(.down) * week + 4 * Self.day
        let start = monday - Double(weeks - 1) * week
        var binds = PostgresBindings()
        binds.append(start)
        binds.append(now.timeIntervalSince1970)
        // $1 the first week's start, $2 now.
        let columns = checkpoints.enumerated().map { index, days -> String in
            let age = "\(Double(days) * Self.day)::double precision"
            return """
                SUM(CASE WHEN t.created_at + \(age) <= $2 THEN 1 ELSE 0 END)::bigint AS measured\(index),
                SUM(CASE WHEN t.created_at + \(age) <= $2 AND (t.status IN ('active', 'stale') OR t.status_at > t.created_at + \(age))
                    THEN 1 ELSE 0 END)::bigint AS alive\(index)
                """
        }.joined(separator: ",\n")
        let population = Self.population(appId: appId, filter, appColumn: "t.app_id", platformColumn: "t.platform", binds: &binds)
        let query = PostgresQuery(unsafeSQL: """
            SELECT trunc((t.created_at - $1) / \(week))::bigint AS w, t.platform, COUNT(*) AS n\(checkpoints.isEmpty ? "" : ",\n" + columns)
            FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
            WHERE \(population) AND t.created_at >= $1
            GROUP BY w, t.platform ORDER BY w, t.platform
            """, binds: binds)
        return try await rows(query).map { row in
            SurvivalCohort(
                weekStart: Date(timeIntervalSince1970: start + Double(try row["w"].decode(Int.self)) * week),
                platform: try row["platform"].decode(String.self), registered: try row["n"].decode(Int.self),
                points: try checkpoints.enumerated().map { index, days in
                    let measured = try row["measured\(index)"].decode(Int?.self) ?? 0, alive = try row["alive\(index)"].decode(Int?.self) ?? 0
                    return .init(days: days, measured: measured, alive: alive, share: TokenHealth.ratio(alive, measured))
                })
        }
    }

    public func optInBreakdown(appId: String, filter: TokenHealth.Filter, since: Date?, until: Date?) async throws -> [OptInBreakdown] {
        var binds = PostgresBindings()
        let population = Self.population(appId: appId, filter, appColumn: "p.app_id", platformColumn: "i.platform", binds: &binds)
        binds.append(since?.timeIntervalSince1970 ?? 0)
        let sinceParameter = binds.count
        binds.append(until?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude)
        let untilParameter = binds.count
        // SQLite orders NULL first and by bytes; so does this.
        let query = PostgresQuery(unsafeSQL: """
            SELECT i.platform, i.app_version, COALESCE(p.properties->>'strategy', 'unknown') AS strategy,
                   COUNT(DISTINCT p.installation_id) AS prompted,
                   COUNT(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM events g WHERE g.app_id = p.app_id AND g.installation_id = p.installation_id
                                                    AND g.type = 'permission_granted' AND g.occurred_at >= p.occurred_at)
                                       THEN p.installation_id END) AS granted
            FROM events p JOIN installations i ON i.app_id = p.app_id AND i.installation_id = p.installation_id
            WHERE \(population) AND p.type = 'prompt_shown' AND p.occurred_at >= $\(sinceParameter) AND p.occurred_at <= $\(untilParameter)
            GROUP BY i.platform, i.app_version, 3
            ORDER BY i.platform COLLATE "C" NULLS FIRST, i.app_version COLLATE "C" NULLS FIRST,
                     COALESCE(p.properties->>'strategy', 'unknown') COLLATE "C"
            """, binds: binds)
        return try await rows(query).map { row in
            let (platform, appVersion, strategy, prompted, granted) = try row.decode((String, String?, String, Int, Int).self)
            return OptInBreakdown(platform: platform, appVersion: appVersion, strategy: strategy, prompted: prompted, granted: granted,
                                  rate: TokenHealth.ratio(granted, prompted))
        }
    }

    public func exportRows(appId: String, of kind: ExportKind, campaignId: String?, after: String?, limit: Int) async throws
        -> (rows: [[String: JSONValue]], next: String?) {
        let (time, text, integer) = (ExportCell.time, ExportCell.text, ExportCell.integer)
        var rows: [[String: JSONValue]] = []
        var cursor: String?
        switch kind {
        case .deliveries:
            for row in try await self.rows("""
                SELECT id, campaign_id, occurrence, token_id, installation_id, user_id, platform, variant, state, outcome, reason, attempts,
                       due_at, accepted_at, created_at, updated_at
                FROM deliveries WHERE app_id = \(appId) AND (\(campaignId)::text IS NULL OR campaign_id = \(campaignId)::text) AND id > \(after ?? "")
                ORDER BY id LIMIT \(limit)
                """) {
                let id = try row["id"].decode(String.self)
                let occurrence = try row["occurrence"].decode(String.self)
                rows.append([
                    "id": .string(id), "campaignId": text(try row["campaign_id"].decode(String.self)),
                    "occurrence": text(occurrence.isEmpty ? nil : occurrence), "tokenId": text(try row["token_id"].decode(String.self)),
                    "installationId": text(try row["installation_id"].decode(String.self)), "userId": text(try row["user_id"].decode(String?.self)),
                    "platform": text(try row["platform"].decode(String.self)), "variant": integer(try row["variant"].decode(Int?.self)),
                    "state": text(try row["state"].decode(String.self)), "outcome": text(try row["outcome"].decode(String?.self)),
                    "reason": text(try row["reason"].decode(String?.self)), "attempts": integer(try row["attempts"].decode(Int.self)),
                    "dueAt": time(try row["due_at"].decode(Double.self)), "acceptedAt": time(try row["accepted_at"].decode(Double?.self)),
                    "createdAt": time(try row["created_at"].decode(Double.self)), "updatedAt": time(try row["updated_at"].decode(Double.self)),
                ])
                cursor = id
            }
        case .events:
            for row in try await self.rows("""
                SELECT seq, id, type, installation_id, user_id, campaign_id, delivery_id, value, currency, occurred_at, received_at,
                       properties::text AS properties
                FROM events WHERE app_id = \(appId) AND (\(campaignId)::text IS NULL OR campaign_id = \(campaignId)::text)
                  AND seq > \(Int(after ?? "0") ?? 0) ORDER BY seq LIMIT \(limit)
                """) {
                let seq = try row["seq"].decode(Int.self)
                rows.append([
                    "seq": .integer(seq), "id": text(try row["id"].decode(String.self)), "type": text(try row["type"].decode(String.self)),
                    "installationId": text(try row["installation_id"].decode(String.self)), "userId": text(try row["user_id"].decode(String?.self)),
                    "campaignId": text(try row["campaign_id"].decode(String?.self)), "deliveryId": text(try row["delivery_id"].decode(String?.self)),
                    "value": try row["value"].decode(Double?.self).map(JSONValue.number) ?? .null,
                    "currency": text(try row["currency"].decode(String?.self)),
                    "occurredAt": time(try row["occurred_at"].decode(Double.self)), "receivedAt": time(try row["received_at"].decode(Double.self)),
                    "properties": try row["properties"].decode(String?.self).flatMap { JSONValue(jsonText: $0) } ?? .null,
                ])
                cursor = String(seq)
            }
        case .tokens:
            for row in try await self.rows("""
                SELECT t.id, t.installation_id, i.user_id, t.platform, t.environment, t.status, t.status_reason, t.status_at,
                       t.created_at, t.last_seen_at, t.last_token_update_at
                FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE t.app_id = \(appId) AND t.id > \(after ?? "") ORDER BY t.id LIMIT \(limit)
                """) {
                let id = try row["id"].decode(String.self)
                rows.append([
                    "id": .string(id), "installationId": text(try row["installation_id"].decode(String?.self)),
                    "userId": text(try row["user_id"].decode(String?.self)), "platform": text(try row["platform"].decode(String.self)),
                    "environment": text(try row["environment"].decode(String?.self)), "status": text(try row["status"].decode(String.self)),
                    "statusReason": text(try row["status_reason"].decode(String?.self)), "statusAt": time(try row["status_at"].decode(Double?.self)),
                    "createdAt": time(try row["created_at"].decode(Double.self)), "lastSeenAt": time(try row["last_seen_at"].decode(Double.self)),
                    "lastTokenUpdateAt": time(try row["last_token_update_at"].decode(Double.self)),
                ])
                cursor = id
            }
        }
        return (rows, rows.count < limit ? nil : cursor)
    }
}
