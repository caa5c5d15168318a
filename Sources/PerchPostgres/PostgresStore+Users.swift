import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore {
    public func setUserAttributes(appId: String, userId: String, attributes: [String: JSONValue], now: Date) async throws -> UserProfile {
        let logger = self.logger
        let at = now.timeIntervalSince1970
        return try await transaction { db in
            var merged: [String: JSONValue] = [:]
            if let row = try await db.rows("""
                SELECT attributes::text FROM users WHERE app_id = \(appId) AND user_id = \(userId) FOR UPDATE
                """, logger: logger).first,
               case .object(let existing)? = JSONValue(jsonText: try row[0].decode(String.self)) {
                merged = existing
            }
            for (key, value) in attributes {
                if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
            }
            try await db.run("""
                INSERT INTO users (app_id, user_id, attributes, created_at, updated_at)
                VALUES (\(appId), \(userId), \(JSONValue.object(merged).jsonText)::jsonb, \(at), \(at))
                ON CONFLICT (app_id, user_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
                """, logger: logger)
            guard let profile = try await Self.userProfile(db, appId: appId, userId: userId, logger: logger) else {
                throw PerchError(.internalError, "the user vanished while being written")
            }
            return profile
        }
    }

    public func userProfile(appId: String, userId: String) async throws -> UserProfile? {
        try await client.withConnection { db in try await Self.userProfile(db, appId: appId, userId: userId, logger: logger) }
    }

    public func exportUser(appId: String, userId: String) async throws -> UserExport? {
        let vault = self.vault
        let logger = self.logger
        // One snapshot for the whole export.
        return try await transaction { db in
            try await db.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            guard let profile = try await Self.userProfile(db, appId: appId, userId: userId, logger: logger) else { return nil }
            let installationIds = profile.installations.map(\.installationId)
            var tokens: [UserExport.Token] = []
            var history: [String: [ConsentRecord]] = [:]
            for installationId in installationIds {
                history[installationId] = try await db.rows(InstallationStatements.consentHistory(appId: appId, installationId: installationId).query,
                                                            logger: logger).compactMap { try $0.consentRecord() }
                for row in try await db.rows("""
                    SELECT id, platform, environment, sealed, status, status_reason, status_at, successor_id, created_at, last_seen_at,
                           kind, activity_type, activity_id, expires_at
                    FROM tokens WHERE app_id = \(appId) AND installation_id = \(installationId) ORDER BY created_at
                    """, logger: logger) {
                    guard let platform = Platform(rawValue: try row["platform"].decode(String.self)),
                          let destination = PushDestination(
                            platform: platform, environment: try row["environment"].decode(String?.self).flatMap(APNsEnvironment.init(rawValue:)),
                            sealedForm: try vault.open(try row["sealed"].decode(Data.self), context: appId))
                    else { continue }
                    tokens.append(UserExport.Token(
                        installationId: installationId, tokenId: try row["id"].decode(String.self), destination: destination,
                        status: try Self.tokenStatus(row), createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
                        lastSeenAt: Date(timeIntervalSince1970: try row["last_seen_at"].decode(Double.self)),
                        kind: TokenKind(stored: try row["kind"].decode(String?.self), activityType: try row["activity_type"].decode(String?.self),
                                        activityId: try row["activity_id"].decode(String?.self)),
                        expiresAt: try row["expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))))
                }
            }
            let events = try await db.rows("""
                SELECT type, installation_id, campaign_id, delivery_id, value, currency, properties::text, occurred_at FROM events
                WHERE app_id = \(appId) AND (user_id = \(userId) OR installation_id = ANY(\(installationIds)))
                ORDER BY occurred_at, seq
                """, logger: logger).map { row in
                UserExport.Event(type: try row["type"].decode(String.self), installationId: try row["installation_id"].decode(String.self),
                                 campaignId: try row["campaign_id"].decode(String?.self), deliveryId: try row["delivery_id"].decode(String?.self),
                                 value: try row["value"].decode(Double?.self), currency: try row["currency"].decode(String?.self),
                                 properties: try row["properties"].decode(String?.self).flatMap(JSONValue.init(jsonText:)),
                                 occurredAt: Date(timeIntervalSince1970: try row["occurred_at"].decode(Double.self)))
            }
            let log = try await db.rows("""
                SELECT kind, installation_id, user_id, other_user_id, at FROM registry_log
                WHERE app_id = \(appId) AND (user_id = \(userId) OR other_user_id = \(userId) OR installation_id = ANY(\(installationIds)))
                ORDER BY seq
                """, logger: logger).map { row in
                UserExport.LogEntry(kind: try row["kind"].decode(String.self), installationId: try row["installation_id"].decode(String?.self),
                                    userId: try row["user_id"].decode(String?.self), otherUserId: try row["other_user_id"].decode(String?.self),
                                    at: Date(timeIntervalSince1970: try row["at"].decode(Double.self)))
            }
            return UserExport(profile: profile, tokens: tokens, consentHistory: history, events: events, log: log)
        }
    }

    public func eraseUser(appId: String, userId: String) async throws -> Bool {
        let logger = self.logger
        let vault = self.vault
        return try await transaction { db in
            let installationIds = try await db.rows("""
                SELECT installation_id FROM installations WHERE app_id = \(appId) AND user_id = \(userId) FOR UPDATE
                """, logger: logger).map { try $0[0].decode(String.self) }
            let known = try await !db.rows("SELECT 1 FROM users WHERE app_id = \(appId) AND user_id = \(userId) FOR UPDATE",
                                           logger: logger).isEmpty
            guard known || !installationIds.isEmpty else { return false }
            try await Self.lock(db, keys: installationIds.map { Self.installationKey(appId, $0) }, logger: logger)
            try await db.run("""
                DELETE FROM registry_log WHERE app_id = \(appId) AND (installation_id = ANY(\(installationIds))
                    OR token_id IN (SELECT id FROM tokens WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))))
                """, logger: logger)
            // Another installation's history keeps its rows, without the person it once pointed at.
            try await db.run("UPDATE registry_log SET user_id = NULL WHERE app_id = \(appId) AND user_id = \(userId)", logger: logger)
            try await db.run("UPDATE registry_log SET other_user_id = NULL WHERE app_id = \(appId) AND other_user_id = \(userId)", logger: logger)
            try await db.run("""
                UPDATE registry_log SET other_installation_id = NULL
                WHERE app_id = \(appId) AND other_installation_id = ANY(\(installationIds))
                """, logger: logger)
            let erasure = UserErasure(userId: userId, installationIds: installationIds)
            try await Self.scrubCampaigns(db, appId: appId, erasure: erasure, logger: logger)
            // Stored Idempotency-Key answers that name the person, one of their installations or tokens go too.
            let tokens = try await db.rows("""
                SELECT id, platform, sealed FROM tokens WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))
                """, logger: logger)
            var tokenIds: [String] = []
            var identities: [String] = []
            for row in tokens {
                tokenIds.append(try row["id"].decode(String.self))
                if let platform = Platform(rawValue: try row["platform"].decode(String.self)),
                   let material = try? vault.open(try row["sealed"].decode(Data.self), context: appId),
                   let destination = PushDestination(platform: platform, environment: nil, sealedForm: material) {
                    identities.append(destination.identity)
                }
            }
            let marks = erasure.idempotencyAnswerMarks(tokenIds: tokenIds, tokens: identities)
            try await db.run("""
                DELETE FROM idempotency_keys WHERE app_id = \(appId) AND body IS NOT NULL
                  AND EXISTS (SELECT 1 FROM unnest(\(marks)::text[]) AS m(mark) WHERE strpos(body, m.mark) > 0)
                """, logger: logger)
            try await db.run("DELETE FROM tokens WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))", logger: logger)
            try await db.run("DELETE FROM consent_history WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))", logger: logger)
            try await db.run("""
                DELETE FROM events WHERE app_id = \(appId) AND (user_id = \(userId) OR installation_id = ANY(\(installationIds)))
                """, logger: logger)
            try await db.run("""
                DELETE FROM deliveries WHERE app_id = \(appId) AND (user_id = \(userId) OR installation_id = ANY(\(installationIds)))
                """, logger: logger)
            try await db.run("""
                DELETE FROM trigger_instances WHERE app_id = \(appId) AND (user_id = \(userId) OR installation_id = ANY(\(installationIds)))
                """, logger: logger)
            try await db.run("DELETE FROM installations WHERE app_id = \(appId) AND installation_id = ANY(\(installationIds))", logger: logger)
            try await db.run("DELETE FROM users WHERE app_id = \(appId) AND user_id = \(userId)", logger: logger)
            return true
        }
    }

    /// Takes the person out of every campaign and transactional send that names them in its audience.
    static func scrubCampaigns(_ db: PostgresConnection, appId: String, erasure: UserErasure, logger: Logger) async throws {
        let installationIds = Array(erasure.installationIds)
        let rows = try await db.rows("""
            SELECT \(unescaped: CampaignStatements.columns) FROM campaigns WHERE app_id = \(appId)
              AND (COALESCE(definition->'audience'->'userIds', '[]'::jsonb) ? \(erasure.userId)
                   OR COALESCE(definition->'audience'->'installationIds', '[]'::jsonb) ?| \(installationIds))
            FOR UPDATE
            """, logger: logger)
        for row in rows {
            let record = try row.campaign()
            guard let scrubbed = erasure.scrubbed(record.definition) else { continue }
            try await db.run("""
                UPDATE campaigns SET definition = \(try CampaignStatements.definitionText(scrubbed))::jsonb WHERE app_id = \(appId) AND id = \(record.id)
                """, logger: logger)
        }
    }

    static func userProfile(_ db: PostgresConnection, appId: String, userId: String, logger: Logger) async throws -> UserProfile? {
        let user = try await db.rows("""
            SELECT attributes::text, created_at, updated_at FROM users WHERE app_id = \(appId) AND user_id = \(userId)
            """, logger: logger).first
        let installations = try await db.rows("""
            SELECT \(unescaped: InstallationStatements.columns) FROM installations i
            LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = \(appId) AND i.user_id = \(userId) ORDER BY i.created_at, i.installation_id
            """, logger: logger).map { try $0.installationSummary() }
        guard user != nil || !installations.isEmpty else { return nil }
        var attributes: [String: JSONValue] = [:]
        if let text = try user?["attributes"].decode(String.self), case .object(let object)? = JSONValue(jsonText: text) { attributes = object }
        return UserProfile(userId: userId, attributes: attributes,
                           createdAt: try user.map { Date(timeIntervalSince1970: try $0["created_at"].decode(Double.self)) },
                           updatedAt: try user.map { Date(timeIntervalSince1970: try $0["updated_at"].decode(Double.self)) },
                           installations: installations)
    }
}
