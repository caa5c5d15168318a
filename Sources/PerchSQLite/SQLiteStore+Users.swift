import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore {
    public func setUserAttributes(appId: String, userId: String, attributes: [String: JSONValue], now: Date) async throws -> UserProfile {
        try await pool.write { db in
            var merged: [String: JSONValue] = [:]
            if let text = try String.fetchOne(db, sql: "SELECT attributes FROM users WHERE app_id = ? AND user_id = ?", arguments: [appId, userId]),
               case .object(let existing)? = JSONValue(jsonText: text) {
                merged = existing
            }
            for (key, value) in attributes {
                if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
            }
            try db.execute(sql: """
                INSERT INTO users (app_id, user_id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (app_id, user_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
                """, arguments: [appId, userId, JSONValue.object(merged).jsonText, now.stored, now.stored])
            return try Self.userProfile(db, appId: appId, userId: userId)!
        }
    }

    public func userProfile(appId: String, userId: String) async throws -> UserProfile? {
        try await pool.read { db in try Self.userProfile(db, appId: appId, userId: userId) }
    }

    public func exportUser(appId: String, userId: String) async throws -> UserExport? {
        let vault = self.vault
        return try await pool.read { db in
            guard let profile = try Self.userProfile(db, appId: appId, userId: userId) else { return nil }
            let installationIds = profile.installations.map(\.installationId)
            var tokens: [UserExport.Token] = []
            var history: [String: [ConsentRecord]] = [:]
            for installationId in installationIds {
                history[installationId] = try Self.consentHistory(db, appId: appId, installationId: installationId)
                for row in try Row.fetchAll(db, sql: "SELECT * FROM tokens WHERE app_id = ? AND installation_id = ? ORDER BY created_at",
                                            arguments: [appId, installationId]) {
                    guard let platform = Platform(rawValue: row["platform"]),
                          let destination = PushDestination(platform: platform,
                                                            environment: (row["environment"] as String?).flatMap(APNsEnvironment.init(rawValue:)),
                                                            sealedForm: try vault.open(row["sealed"], context: appId))
                    else { continue }
                    tokens.append(UserExport.Token(installationId: installationId, tokenId: row["id"], destination: destination,
                                                   status: Self.tokenStatus(row), createdAt: Date(stored: row["created_at"]),
                                                   lastSeenAt: Date(stored: row["last_seen_at"]),
                                                   kind: TokenKind(stored: row["kind"], activityType: row["activity_type"],
                                                                   activityId: row["activity_id"]),
                                                   expiresAt: (row["expires_at"] as Double?).map(Date.init(stored:))))
                }
            }
            let events = try Row.fetchAll(db, sql: """
                SELECT * FROM events WHERE app_id = ? AND (user_id = ? OR installation_id IN (SELECT value FROM json_each(?)))
                ORDER BY occurred_at, seq
                """, arguments: [appId, userId, Self.jsonArray(installationIds)]).map { row in
                UserExport.Event(type: row["type"], installationId: row["installation_id"], campaignId: row["campaign_id"],
                                 deliveryId: row["delivery_id"], value: row["value"], currency: row["currency"],
                                 properties: (row["properties"] as String?).flatMap(JSONValue.init(jsonText:)),
                                 occurredAt: Date(stored: row["occurred_at"]))
            }
            let log = try Row.fetchAll(db, sql: """
                SELECT * FROM registry_log WHERE app_id = ? AND (user_id = ? OR other_user_id = ?
                    OR installation_id IN (SELECT value FROM json_each(?))) ORDER BY seq
                """, arguments: [appId, userId, userId, Self.jsonArray(installationIds)]).map { row in
                UserExport.LogEntry(kind: row["kind"], installationId: row["installation_id"], userId: row["user_id"],
                                    otherUserId: row["other_user_id"], at: Date(stored: row["at"]))
            }
            return UserExport(profile: profile, tokens: tokens, consentHistory: history, events: events, log: log)
        }
    }

    public func eraseUser(appId: String, userId: String) async throws -> Bool {
        let vault = self.vault
        let erased = try await pool.write { db -> Bool in
            let installationIds = try String.fetchAll(db, sql: "SELECT installation_id FROM installations WHERE app_id = ? AND user_id = ?",
                                                      arguments: [appId, userId])
            let known = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE app_id = ? AND user_id = ?)",
                                          arguments: [appId, userId]) ?? false
            guard known || !installationIds.isEmpty else { return false }
            let ids = Self.jsonArray(installationIds)
            let inInstallations = "installation_id IN (SELECT value FROM json_each(?))"
            try db.execute(sql: """
                DELETE FROM registry_log WHERE app_id = ? AND (\(inInstallations)
                    OR token_id IN (SELECT id FROM tokens WHERE app_id = ? AND \(inInstallations)))
                """, arguments: [appId, ids, appId, ids])
            // Another installation's history keeps its rows, without the person it once pointed at.
            try db.execute(sql: "UPDATE registry_log SET user_id = NULL WHERE app_id = ? AND user_id = ?", arguments: [appId, userId])
            try db.execute(sql: "UPDATE registry_log SET other_user_id = NULL WHERE app_id = ? AND other_user_id = ?", arguments: [appId, userId])
            try db.execute(sql: "UPDATE registry_log SET other_installation_id = NULL WHERE app_id = ? AND other_installation_id IN (SELECT value FROM json_each(?))",
                           arguments: [appId, ids])
            let erasure = UserErasure(userId: userId, installationIds: installationIds)
            try Self.scrubCampaigns(db, appId: appId, erasure: erasure)
            // Stored Idempotency-Key answers that name the person, one of their installations or tokens go too.
            let tokens = try Row.fetchAll(db, sql: "SELECT id, platform, sealed FROM tokens WHERE app_id = ? AND \(inInstallations)",
                                          arguments: [appId, ids])
            let marks = erasure.idempotencyAnswerMarks(tokenIds: tokens.map { $0["id"] as String }, tokens: tokens.compactMap { row in
                guard let platform = Platform(rawValue: row["platform"]), let material = try? vault.open(row["sealed"] as Data, context: appId)
                else { return nil }
                return PushDestination(platform: platform, environment: nil, sealedForm: material)?.identity
            })
            try db.execute(sql: """
                DELETE FROM idempotency_keys WHERE app_id = ? AND body IS NOT NULL
                  AND EXISTS (SELECT 1 FROM json_each(?) m WHERE instr(body, m.value) > 0)
                """, arguments: [appId, Self.jsonArray(marks)])
            try db.execute(sql: "DELETE FROM tokens WHERE app_id = ? AND \(inInstallations)", arguments: [appId, ids])
            try db.execute(sql: "DELETE FROM consent_history WHERE app_id = ? AND \(inInstallations)", arguments: [appId, ids])
            try db.execute(sql: "DELETE FROM events WHERE app_id = ? AND (user_id = ? OR \(inInstallations))", arguments: [appId, userId, ids])
            try db.execute(sql: "DELETE FROM deliveries WHERE app_id = ? AND (user_id = ? OR \(inInstallations))", arguments: [appId, userId, ids])
            try db.execute(sql: "DELETE FROM trigger_instances WHERE app_id = ? AND (user_id = ? OR \(inInstallations))", arguments: [appId, userId, ids])
            try db.execute(sql: "DELETE FROM installations WHERE app_id = ? AND \(inInstallations)", arguments: [appId, ids])
            try db.execute(sql: "DELETE FROM users WHERE app_id = ? AND user_id = ?", arguments: [appId, userId])
            return true
        }
        if erased { try checkpoint() }
        return erased
    }

    /// Takes the person out of every campaign and transactional send that names them in its audience.
    static func scrubCampaigns(_ db: Database, appId: String, erasure: UserErasure) throws {
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(CampaignStatements.columns) FROM campaigns WHERE app_id = ? AND (
                EXISTS (SELECT 1 FROM json_each(definition, '$.audience.userIds') WHERE value = ?)
                OR EXISTS (SELECT 1 FROM json_each(definition, '$.audience.installationIds') WHERE value IN (SELECT value FROM json_each(?))))
            """, arguments: [appId, erasure.userId, jsonArray(Array(erasure.installationIds))])
        for row in rows {
            let record = try row.campaign()
            guard let scrubbed = erasure.scrubbed(record.definition) else { continue }
            try db.execute(sql: "UPDATE campaigns SET definition = ? WHERE app_id = ? AND id = ?",
                           arguments: [try CampaignStatements.definitionText(scrubbed), appId, record.id])
        }
    }

    static func userProfile(_ db: Database, appId: String, userId: String) throws -> UserProfile? {
        let user = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE app_id = ? AND user_id = ?", arguments: [appId, userId])
        let installations = try Row.fetchAll(db, sql: """
            SELECT \(InstallationStatements.columns) FROM installations i
            LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = ? AND i.user_id = ? ORDER BY i.created_at
            """, arguments: [appId, userId]).map { try $0.installationSummary() }
        guard user != nil || !installations.isEmpty else { return nil }
        var attributes: [String: JSONValue] = [:]
        if let text: String = user?["attributes"], case .object(let object)? = JSONValue(jsonText: text) { attributes = object }
        return UserProfile(userId: userId, attributes: attributes,
                           createdAt: (user?["created_at"] as Double?).map(Date.init(stored:)),
                           updatedAt: (user?["updated_at"] as Double?).map(Date.init(stored:)),
                           installations: installations)
    }

    static func jsonArray(_ values: [String]) -> String {
        JSONValue.array(values.map(JSONValue.string)).jsonText
    }
}
