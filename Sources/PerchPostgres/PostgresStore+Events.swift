import Foundation
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore: EventStore {
    public func record(appId: String, events: [ClientEvent], now: Date) async throws -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        let logger = self.logger
        let received = now.timeIntervalSince1970
        return try await transaction { db in
            // Each installation's user, read once for the whole batch.
            let installationIds = Array(Set(events.map(\.installationId)))
            var users: [String: String?] = [:]
            for row in try await db.rows("""
                SELECT installation_id, user_id FROM installations WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))
                """, logger: logger) {
                let (installationId, userId) = try row.decode((String, String?).self)
                users[installationId] = userId
            }
            // Attribution: an event naming only its delivery belongs to that delivery's campaign.
            let deliveryIds = Array(Set(events.compactMap { $0.campaignId == nil ? $0.deliveryId : nil }))
            var campaignByDelivery: [String: String] = [:]
            if !deliveryIds.isEmpty {
                for row in try await db.rows("""
                    SELECT id, campaign_id FROM deliveries WHERE app_id = \(appId) AND id = ANY(\(deliveryIds))
                    """, logger: logger) {
                    let (deliveryId, campaignId) = try row.decode((String, String).self)
                    campaignByDelivery[deliveryId] = campaignId
                }
            }
            var outcomes: [EventOutcome] = []
            outcomes.reserveCapacity(events.count)
            var stored: [(event: ClientEvent, userId: String?)] = []
            var batch = Self.eventBatch()
            for event in events {
                guard let user = users[event.installationId] else {
                    outcomes.append(.rejected(PerchError(.notFound, "installation not found", field: "installationId")))
                    continue
                }
                let campaignId = event.campaignId ?? event.deliveryId.flatMap { campaignByDelivery[$0] }
                stored.append((event, user))
                let id = Self.newId("evt")
                batch.append { binds in
                    binds.append(appId)
                    binds.append(id)
                    binds.append(event.type.rawValue)
                    binds.append(event.installationId)
                    binds.append(user)
                    binds.append(campaignId)
                    binds.append(event.deliveryId)
                    binds.append(event.value)
                    binds.append(event.currency)
                    binds.append(event.properties.map { JSONValue.object($0).jsonText })
                    binds.append(event.occurredAt.timeIntervalSince1970)
                    binds.append(received)
                }
                outcomes.append(.stored(id: id))
                if batch.isFull {
                    try await db.run(batch.query, logger: logger)
                    batch = Self.eventBatch()
                }
            }
            if !batch.isEmpty { try await db.run(batch.query, logger: logger) }
            try await Self.startTriggers(db, appId: appId, events: stored, now: now, logger: logger)
            return outcomes
        }
    }

    static func eventBatch() -> RowBatch {
        RowBatch(table: "events", columns: ["app_id", "id", "type", "installation_id", "user_id", "campaign_id", "delivery_id",
                                            "value", "currency", "properties", "occurred_at", "received_at"],
                 casts: ["properties": "jsonb"])
    }
}
