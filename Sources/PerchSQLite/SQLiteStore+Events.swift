import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: EventStore {
    /// One transaction per batch, as `POST /v1/events` asks: the installations, the deliveries the events name and the
    /// campaigns' windows are each read once for the whole batch, then the events go in as multi-row inserts.
    public func record(appId: String, events: [ClientEvent], now: Date) async throws -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        return try await batcher.write { db in
            let users = try Self.users(db, appId: appId, installationIds: Set(events.map(\.installationId)))
            let named = EventAttribution.Candidates(try Self.deliveries(db, appId: appId, ids: Set(events.compactMap(\.deliveryId))))
            var claimed: [ClaimKey: [EventAttribution.Delivery]] = [:]
            for event in events where event.deliveryId == nil {
                guard let campaignId = event.campaignId, let user = users[event.installationId] else { continue }
                let key = ClaimKey(campaignId: campaignId, installationId: event.installationId)
                if claimed[key] == nil {
                    claimed[key] = try Self.claimedDeliveries(db, appId: appId, campaignId: campaignId, installationId: event.installationId, userId: user)
                }
            }
            let windows = try Self.attributionWindows(db, appId: appId, campaignIds: Set(named.campaignIds + claimed.values.joined().map(\.campaignId)))
            var outcomes: [EventOutcome] = []
            outcomes.reserveCapacity(events.count)
            var stored: [(event: ClientEvent, userId: String?)] = []
            stored.reserveCapacity(events.count)
            var rows: [(any DatabaseValueConvertible)?] = []
            rows.reserveCapacity(events.count * Self.eventColumns.count)
            for event in events {
                guard let user = users[event.installationId] else {
                    outcomes.append(.rejected(PerchError(.notFound, "installation not found", field: "installationId")))
                    continue
                }
                let candidates = event.deliveryId == nil
                    ? event.campaignId.flatMap { claimed[ClaimKey(campaignId: $0, installationId: event.installationId)] } ?? []
                    : named.backing(event)
                let attribution = EventAttribution.of(event, userId: user, candidates: candidates, window: { windows[$0] ?? 0 }, now: now)
                let id = Self.newId("evt")
                rows += [appId, id, event.type.rawValue, event.installationId, user, attribution.campaignId, attribution.deliveryId,
                         event.value, event.currency, event.properties.map { JSONValue.object($0).jsonText }, event.occurredAt.stored,
                         now.stored]
                stored.append((event, user))
                outcomes.append(.stored(id: id))
            }
            try db.insertRows(into: "events", columns: Self.eventColumns, values: rows)
            try Self.startTriggers(db, appId: appId, events: stored, now: now)
            return outcomes
        }
    }

    static let eventColumns = ["app_id", "id", "type", "installation_id", "user_id", "campaign_id", "delivery_id", "value", "currency",
                               "properties", "occurred_at", "received_at"]

    /// A campaign an event names without a delivery, and the installation it comes from.
    private struct ClaimKey: Hashable {
        let campaignId: String
        let installationId: String
    }

    /// Each known installation's user (`nil` inside when it has none); unknown installations are absent.
    static func users(_ db: Database, appId: String, installationIds: Set<String>) throws -> [String: String?] {
        var users: [String: String?] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT installation_id, user_id FROM installations WHERE app_id = ? AND installation_id IN (SELECT value FROM json_each(?))
            """), arguments: [appId, jsonArray(installationIds)])
        while let row = try rows.next() {
            users[row[0] as String] = .some(row[1] as String?)
        }
        return users
    }

    /// The deliveries named by `ids`, to back the events naming them (``EventAttribution``).
    static func deliveries(_ db: Database, appId: String, ids: Set<String>) throws -> [EventAttribution.Delivery] {
        guard !ids.isEmpty else { return [] }
        return try attributionDeliveries(db.cachedStatement(sql: """
            SELECT \(attributionColumns) FROM deliveries WHERE app_id = ? AND id IN (SELECT value FROM json_each(?))
            """), arguments: [appId, jsonArray(ids)])
    }

    /// The latest deliveries of a campaign an event names without a delivery, to its installation or its person.
    static func claimedDeliveries(_ db: Database, appId: String, campaignId: String, installationId: String,
                                  userId: String?) throws -> [EventAttribution.Delivery] {
        try attributionDeliveries(db.cachedStatement(sql: """
            SELECT \(attributionColumns) FROM deliveries WHERE app_id = ? AND campaign_id = ? AND (installation_id = ?
                OR installation_id IN (SELECT installation_id FROM installations WHERE app_id = ? AND user_id = ?))
            ORDER BY created_at DESC LIMIT 20
            """), arguments: [appId, campaignId, installationId, appId, userId])
    }

    private static let attributionColumns = "id, campaign_id, installation_id, user_id, created_at"

    private static func attributionDeliveries(_ statement: Statement, arguments: StatementArguments) throws -> [EventAttribution.Delivery] {
        var deliveries: [EventAttribution.Delivery] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            deliveries.append(EventAttribution.Delivery(id: row[0], campaignId: row[1], installationId: row[2], userId: row[3],
                                                        createdAt: Date(stored: row[4])))
        }
        return deliveries
    }

    /// The attribution window of each campaign in `campaignIds` that exists.
    static func attributionWindows(_ db: Database, appId: String, campaignIds: Set<String>) throws -> [String: TimeInterval] {
        var windows: [String: TimeInterval] = [:]
        for campaignId in campaignIds {
            windows[campaignId] = try db.rows(CampaignStatements.campaign(appId: appId, id: campaignId)).first?.campaign().definition.attributionWindow ?? 0
        }
        return windows
    }

    static func jsonArray(_ strings: some Sequence<String>) -> String {
        JSONValue.array(strings.map(JSONValue.string)).jsonText
    }
}
