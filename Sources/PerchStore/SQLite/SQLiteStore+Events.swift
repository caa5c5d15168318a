import Foundation
import GRDB
import PerchCore

extension SQLiteStore: EventStore {
    public func record(appId: String, events: [ClientEvent], now: Date) async throws -> [EventOutcome] {
        let ids = events.map { _ in Self.newId("evt") }
        return try await batcher.write { db in
            var outcomes: [EventOutcome] = []
            outcomes.reserveCapacity(events.count)
            var users: [String: String?] = [:]
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
                // Attribution: an event naming only its delivery belongs to that delivery's campaign.
                var campaignId = event.campaignId
                if campaignId == nil, let deliveryId = event.deliveryId {
                    campaignId = try db.fetchOneCached(sql: "SELECT campaign_id FROM deliveries WHERE app_id = ? AND id = ?",
                                                       arguments: [appId, deliveryId])?["campaign_id"]
                }
                try db.executeCached(sql: """
                    INSERT INTO events (app_id, id, type, installation_id, user_id, campaign_id, delivery_id, value, currency,
                                        properties, occurred_at, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [appId, ids[index], event.type.rawValue, event.installationId, user, campaignId,
                                     event.deliveryId, event.value, event.currency,
                                     event.properties.map { JSONValue.object($0).jsonText }, event.occurredAt.stored, now.stored])
                try Self.startTriggers(db, appId: appId, event: event, userId: user, now: now)
                outcomes.append(.stored(id: ids[index]))
            }
            return outcomes
        }
    }
}
