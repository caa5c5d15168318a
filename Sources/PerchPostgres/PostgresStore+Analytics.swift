import Foundation
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: AnalyticsStore {
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
