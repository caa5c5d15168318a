import Foundation
import PerchCore
import PerchStore

/// Saved audiences and waiting triggered sends, written once for every ``SQLStore``.
extension CampaignStore where Self: SQLStore {
    public func createSegment(appId: String, name: String, filter: String, now: Date) async throws -> SegmentRecord {
        let segment = SegmentRecord(id: StoreIdentifier.new("seg"), name: name, filter: filter, createdAt: now, updatedAt: now)
        try await execute([SQLStatement("INSERT INTO segments (app_id, id, name, filter, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                                        [.text(appId), .text(segment.id), .text(name), .text(filter), .time(now), .time(now)])])
        return segment
    }

    public func segment(appId: String, id: String) async throws -> SegmentRecord? {
        try await row(SQLStatement("SELECT \(Self.segmentColumns) FROM segments WHERE app_id = ? AND id = ?", [.text(appId), .text(id)]),
                      Self.segment)
    }

    public func segments(appId: String) async throws -> [SegmentRecord] {
        try await rows(SQLStatement("SELECT \(Self.segmentColumns) FROM segments WHERE app_id = ? ORDER BY created_at", [.text(appId)]),
                       Self.segment)
    }

    public func updateSegment(appId: String, id: String, name: String, filter: String, now: Date) async throws -> SegmentRecord? {
        try await execute([SQLStatement("UPDATE segments SET name = ?, filter = ?, updated_at = ? WHERE app_id = ? AND id = ?",
                                        [.text(name), .text(filter), .time(now), .text(appId), .text(id)])])
        return try await segment(appId: appId, id: id)
    }

    public func dueTriggers(now: Date, limit: Int) async throws -> [TriggerRecord] {
        try await rows(SQLStatement("""
            SELECT id, app_id, campaign_id, installation_id, user_id, event_at, fire_at FROM trigger_instances
            WHERE state = 'waiting' AND fire_at <= ? ORDER BY fire_at LIMIT ?
            """, [.time(now), .integer(limit)])) { row in
            TriggerRecord(id: try row.text(required: 0), appId: try row.text(required: 1), campaignId: try row.text(required: 2),
                          installationId: try row.text(required: 3), userId: try row.text(4),
                          eventAt: Date(timeIntervalSince1970: try row.real(required: 5)), fireAt: Date(timeIntervalSince1970: try row.real(required: 6)))
        }
    }

    public func finishTrigger(appId: String, id: String, state: TriggerRecord.State, now: Date) async throws {
        try await execute([SQLStatement("UPDATE trigger_instances SET state = ?, updated_at = ? WHERE app_id = ? AND id = ?",
                                        [.text(state.rawValue), .time(now), .text(appId), .text(id)])])
    }

    public func personDid(appId: String, event: String, installationId: String, userId: String?, after: Date, now: Date) async throws -> Bool {
        try await row(SQLStatement("""
            SELECT CASE WHEN EXISTS (SELECT 1 FROM events WHERE app_id = ? AND type = ? AND occurred_at >= ? AND occurred_at <= ?
                                     AND (installation_id = ? OR (CAST(? AS TEXT) IS NOT NULL AND user_id = CAST(? AS TEXT)))) THEN 1 ELSE 0 END
            """, [.text(appId), .text(event), .time(after), .time(now), .text(installationId), .text(userId), .text(userId)]),
                      { try $0.integer(required: 0) != 0 }) ?? false
    }

    static var segmentColumns: String { "id, name, filter, created_at, updated_at" }

    @Sendable static func segment(_ row: any SQLRow) throws -> SegmentRecord {
        SegmentRecord(id: try row.text(required: 0), name: try row.text(required: 1), filter: try row.text(required: 2),
                      createdAt: Date(timeIntervalSince1970: try row.real(required: 3)), updatedAt: Date(timeIntervalSince1970: try row.real(required: 4)))
    }
}
