import Foundation
import PerchCore
import PerchStore

/// Creating and editing campaigns, and the sending history the planner's caps and send-time choice read, written
/// once for every ``SQLStore``.
extension CampaignStore where Self: SQLStore {
    public func createCampaign(appId: String, definition: CampaignDefinition, kind: CampaignKind, now: Date) async throws -> CampaignRecord {
        let record = CampaignRecord(id: StoreIdentifier.new(kind == .transactional ? "snd" : "cmp"), appId: appId, kind: kind,
                                    definition: definition, status: .draft, createdAt: now, updatedAt: now)
        try await execute([SQLStatement("""
            INSERT INTO campaigns (app_id, id, kind, definition, status, trigger_event, created_at, updated_at)
            VALUES (?, ?, ?, \(dialect.json("?")), ?, ?, ?, ?)
            """, [.text(appId), .text(record.id), .text(kind.rawValue), .text(try CampaignStatements.definitionText(definition)),
                  .text(record.status.rawValue), .text(definition.trigger?.event), .time(now), .time(now)])])
        return record
    }

    /// A compare-and-set: the definition is written only while the campaign is still in the editable status read.
    public func updateCampaign(appId: String, id: String, definition: CampaignDefinition, now: Date) async throws -> CampaignRecord? {
        let text = try CampaignStatements.definitionText(definition)
        for _ in 0..<Self.compareAndSetAttempts {
            guard let current = try await row(CampaignStatements.campaign(appId: appId, id: id), { try $0.campaign() }) else { return nil }
            guard current.status.isEditable else {
                throw PerchError(.conflict, "a \(current.status.rawValue) campaign cannot be changed", field: "status")
            }
            if let updated = try await write(guard: SQLStatement("""
                UPDATE campaigns SET definition = \(dialect.json("?")), trigger_event = ?, updated_at = ?
                WHERE app_id = ? AND id = ? AND status = ? RETURNING \(CampaignStatements.columns)
                """, [.text(text), .text(definition.trigger?.event), .time(now), .text(appId), .text(id), .text(current.status.rawValue)]),
                then: [], { try $0.campaign() }).first {
                return updated
            }
        }
        throw PerchError(.conflict, "the campaign kept changing while it was being edited; try again")
    }

    public func history(appId: String, since: Date?, openHours: Bool, now: Date) async throws -> CampaignPlanner.History {
        var history = CampaignPlanner.History()
        if let since {
            // One message per person per campaign occurrence, whatever the number of devices.
            for (person, at) in try await rows(SQLStatement("""
                SELECT \(SQLExpressions.person()) AS person, MIN(COALESCE(accepted_at, due_at))
                FROM deliveries
                WHERE app_id = ? AND due_at > ? AND state IN ('pending', 'retry', 'sending', 'accepted')
                GROUP BY person, campaign_id, occurrence
                """, [.text(appId), .time(since)]), { row in (try row.text(required: 0), try row.real(required: 1)) }) {
                history.sendsByPerson[person, default: []].append(Date(timeIntervalSince1970: at))
            }
        }
        if openHours {
            var calendars: [String: Calendar] = [:]
            for (userId, occurredAt, zone) in try await rows(SQLStatement("""
                SELECT e.user_id, e.occurred_at, i.timezone FROM events e
                JOIN installations i ON i.app_id = e.app_id AND i.installation_id = e.installation_id
                WHERE e.app_id = ? AND e.type = 'opened' AND e.user_id IS NOT NULL AND e.occurred_at > ?
                """, [.text(appId), .time(now.addingTimeInterval(-90 * 86_400))]), { row in
                (try row.text(required: 0), try row.real(required: 1), try row.text(2) ?? "UTC")
            }) {
                let calendar = calendars[zone] ?? {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
                    calendars[zone] = calendar
                    return calendar
                }()
                history.openHoursByUser[userId, default: []].append(calendar.component(.hour, from: Date(timeIntervalSince1970: occurredAt)))
            }
        }
        return history
    }
}
