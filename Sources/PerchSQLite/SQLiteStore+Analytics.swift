import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: AnalyticsStore {
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
