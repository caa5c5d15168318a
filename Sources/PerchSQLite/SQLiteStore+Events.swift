import Foundation
import GRDB
import PerchCore
import PerchStore

extension SQLiteStore: EventStore {
    public func record(appId: String, events: [ClientEvent], now: Date) async throws -> [EventOutcome] {
        let ids = events.map { _ in Self.newId("evt") }
        return try await batcher.write { db in
            var outcomes: [EventOutcome] = []
            outcomes.reserveCapacity(events.count)
            var users: [String: String?] = [:]
            var windows: [String: TimeInterval] = [:]
            for (index, event) in events.enumerated() {
                let user: String?
                if let cached = users[event.installationId] {
                    user = cached
                } else {
                    guard let row = try db.fetchOneCached(sql: "SELECT user_id FROM installations WHERE app_id = ? AND installation_id = ?",
                                                     arguments: [appId, event.installationId])
                    else {
                        outcomes.append(.rejected(PerchError(.notFound, "installation not found", field: "installationId")))
                        continue
                    }
                    user = row["user_id"]
                    users[event.installationId] = user
                }
                let attribution = try Self.attribution(db, appId: appId, event: event, userId: user, windows: &windows, now: now)
                try db.executeCached(sql: """
                    INSERT INTO events (app_id, id, type, installation_id, user_id, campaign_id, delivery_id, value, currency,
                                        properties, occurred_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [appId, ids[index], event.type.rawValue, event.installationId, user, attribution.campaignId,
                                     attribution.deliveryId, event.value, event.currency,
                                     event.properties.map { JSONValue.object($0).jsonText }, event.occurredAt.stored, now.stored])
                try Self.startTriggers(db, appId: appId, event: event, userId: user, now: now)
                outcomes.append(.stored(id: ids[index]))
            }
            return outcomes
        }
    }

    /// The campaign the event counts for (``EventAttribution``), from the deliveries that could back its claim.
    static func attribution(_ db: Database, appId: String, event: ClientEvent, userId: String?,
                            windows: inout [String: TimeInterval], now: Date) throws -> EventAttribution {
        let columns = "id, campaign_id, installation_id, user_id, created_at"
        let rows: [Row]
        if let deliveryId = event.deliveryId {
            rows = try db.fetchAllCached(sql: "SELECT \(columns) FROM deliveries WHERE app_id = ? AND id = ?", arguments: [appId, deliveryId])
        } else if let campaignId = event.campaignId {
            rows = try db.fetchAllCached(sql: """
                SELECT \(columns) FROM deliveries WHERE app_id = ? AND campaign_id = ? AND (installation_id = ?
                    OR installation_id IN (SELECT installation_id FROM installations WHERE app_id = ? AND user_id = ?))
                ORDER BY created_at DESC LIMIT 20
                """, arguments: [appId, campaignId, event.installationId, appId, userId])
        } else {
            return .unattributed
        }
        let candidates = rows.map { row in
            EventAttribution.Delivery(id: row["id"], campaignId: row["campaign_id"], installationId: row["installation_id"],
                                      userId: row["user_id"], createdAt: Date(stored: row["created_at"]))
        }
        for campaignId in Set(candidates.map(\.campaignId)) where windows[campaignId] == nil {
            windows[campaignId] = try campaign(db, appId: appId, id: campaignId)?.definition.attributionWindow ?? 0
        }
        return EventAttribution.of(event, userId: userId, candidates: candidates, window: { windows[$0] ?? 0 }, now: now)
    }
}
