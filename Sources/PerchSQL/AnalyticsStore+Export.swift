import Foundation
import PerchCore
import PerchStore

/// The raw exports (deliveries, events, tokens) written once for every ``SQLStore``: pages in the order of their
/// cursor (a delivery's or token's id, an event's sequence number).
extension AnalyticsStore where Self: SQLStore {
    public func exportRows(appId: String, of kind: ExportKind, campaignId: String?, after: String?, limit: Int) async throws
        -> (rows: [[String: JSONValue]], next: String?) {
        let (time, text, integer) = (ExportCell.time, ExportCell.text, ExportCell.integer)
        let page: [(cursor: String, row: [String: JSONValue])]
        switch kind {
        case .deliveries:
            page = try await rows(SQLStatement("""
                SELECT id, campaign_id, occurrence, token_id, installation_id, user_id, platform, variant, state, outcome, reason, attempts,
                       due_at, accepted_at, created_at, updated_at
                FROM deliveries WHERE app_id = ? AND (CAST(? AS TEXT) IS NULL OR campaign_id = ?) AND id > ? ORDER BY id LIMIT ?
                """, [.text(appId), .text(campaignId), .text(campaignId), .text(after ?? ""), .integer(limit)])) { row in
                let id = try row.text(required: 0)
                let occurrence = try row.text(2) ?? ""
                return (id, [
                    "id": .string(id), "campaignId": text(try row.text(1)), "occurrence": text(occurrence.isEmpty ? nil : occurrence),
                    "tokenId": text(try row.text(3)), "installationId": text(try row.text(4)), "userId": text(try row.text(5)),
                    "platform": text(try row.text(6)), "variant": integer(try row.integer(7)), "state": text(try row.text(8)),
                    "outcome": text(try row.text(9)), "reason": text(try row.text(10)), "attempts": integer(try row.integer(11)),
                    "dueAt": time(try row.real(12)), "acceptedAt": time(try row.real(13)), "createdAt": time(try row.real(14)),
                    "updatedAt": time(try row.real(15)),
                ])
            }
        case .events:
            page = try await rows(SQLStatement("""
                SELECT seq, id, type, installation_id, user_id, campaign_id, delivery_id, value, currency, occurred_at, received_at,
                       CAST(properties AS TEXT)
                FROM events WHERE app_id = ? AND (CAST(? AS TEXT) IS NULL OR campaign_id = ?) AND seq > ? ORDER BY seq LIMIT ?
                """, [.text(appId), .text(campaignId), .text(campaignId), .integer(Int(after ?? "0") ?? 0), .integer(limit)])) { row in
                let seq = try row.integer(required: 0)
                return (String(seq), [
                    "seq": .integer(seq), "id": text(try row.text(1)), "type": text(try row.text(2)), "installationId": text(try row.text(3)),
                    "userId": text(try row.text(4)), "campaignId": text(try row.text(5)), "deliveryId": text(try row.text(6)),
                    "value": try row.real(7).map(JSONValue.number) ?? .null, "currency": text(try row.text(8)),
                    "occurredAt": time(try row.real(9)), "receivedAt": time(try row.real(10)),
                    "properties": try row.text(11).flatMap { JSONValue(jsonText: $0) } ?? .null,
                ])
            }
        case .tokens:
            page = try await rows(SQLStatement("""
                SELECT t.id, t.installation_id, i.user_id, t.platform, t.environment, t.status, t.status_reason, t.status_at,
                       t.created_at, t.last_seen_at, t.last_token_update_at
                FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
                WHERE t.app_id = ? AND t.id > ? ORDER BY t.id LIMIT ?
                """, [.text(appId), .text(after ?? ""), .integer(limit)])) { row in
                let id = try row.text(required: 0)
                return (id, [
                    "id": .string(id), "installationId": text(try row.text(1)), "userId": text(try row.text(2)),
                    "platform": text(try row.text(3)), "environment": text(try row.text(4)), "status": text(try row.text(5)),
                    "statusReason": text(try row.text(6)), "statusAt": time(try row.real(7)), "createdAt": time(try row.real(8)),
                    "lastSeenAt": time(try row.real(9)), "lastTokenUpdateAt": time(try row.real(10)),
                ])
            }
        }
        return (page.map(\.row), page.count < limit ? nil : page.last?.cursor)
    }
}
