import Foundation
import Logging
import PerchCore
import PerchSQL
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
            let candidates = EventAttribution.Candidates(try await Self.attributionCandidates(db, appId: appId, events: events, logger: logger))
            var windows: [String: TimeInterval] = [:]
            for campaignId in candidates.campaignIds {
                windows[campaignId] = 0
            }
            for row in try await db.rows("""
                SELECT \(unescaped: CampaignStatements.columns) FROM campaigns WHERE app_id = \(appId) AND id = ANY(\(Array(windows.keys)))
                """, logger: logger) {
                let campaign = try row.campaign()
                windows[campaign.id] = campaign.definition.attributionWindow
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
                let attribution = EventAttribution.of(event, userId: user, candidates: candidates, window: { windows[$0] ?? 0 }, now: now)
                stored.append((event, user))
                let id = Self.newId("evt")
                batch.append { binds in
                    binds.append(appId)
                    binds.append(id)
                    binds.append(event.type.rawValue)
                    binds.append(event.installationId)
                    binds.append(user)
                    binds.append(attribution.campaignId)
                    binds.append(attribution.deliveryId)
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

    /// The deliveries that could back the batch's claims (``EventAttribution``): those the events name, and
    /// for an event naming only a campaign, that campaign's latest deliveries to its installation or its person.
    static func attributionCandidates(_ db: PostgresConnection, appId: String, events: [ClientEvent],
                                      logger: Logger) async throws -> [EventAttribution.Delivery] {
        let deliveryIds = Array(Set(events.compactMap(\.deliveryId)))
        let claims = events.filter { $0.deliveryId == nil && $0.campaignId != nil }
        var rows: [PostgresRandomAccessRow] = []
        if !deliveryIds.isEmpty {
            rows += try await db.rows("""
                SELECT id, campaign_id, installation_id, user_id, created_at FROM deliveries
                WHERE app_id = \(appId) AND id = ANY(\(deliveryIds))
                """, logger: logger)
        }
        if !claims.isEmpty {
            rows += try await db.rows("""
                SELECT d.id, d.campaign_id, d.installation_id, d.user_id, d.created_at
                FROM unnest(\(claims.map { $0.campaignId ?? "" })::text[], \(claims.map(\.installationId))::text[]) AS c(campaign_id, installation_id)
                CROSS JOIN LATERAL (
                    SELECT id, campaign_id, installation_id, user_id, created_at FROM deliveries
                    WHERE app_id = \(appId) AND campaign_id = c.campaign_id AND (installation_id = c.installation_id
                        OR installation_id IN (SELECT o.installation_id FROM installations o JOIN installations i
                                               ON i.app_id = o.app_id AND i.user_id = o.user_id
                                               WHERE i.app_id = \(appId) AND i.installation_id = c.installation_id))
                    ORDER BY created_at DESC LIMIT 20) d
                """, logger: logger)
        }
        return try rows.map { row in
            let (id, campaignId, installationId, userId, createdAt) = try row.decode((String, String, String, String?, Double).self)
            return EventAttribution.Delivery(id: id, campaignId: campaignId, installationId: installationId, userId: userId,
                                             createdAt: Date(timeIntervalSince1970: createdAt))
        }
    }

    static func eventBatch() -> RowBatch {
        RowBatch(table: "events", columns: ["app_id", "id", "type", "installation_id", "user_id", "campaign_id", "delivery_id",
                                            "value", "currency", "properties", "occurred_at", "received_at"],
                 casts: ["properties": "jsonb"])
    }
}
