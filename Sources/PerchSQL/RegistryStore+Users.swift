import Foundation
import PerchCore
import PerchStore

/// People — their attributes, profile, export and erasure — written once for every ``SQLStore``, each a plan run in
/// one transaction (``SQLPlan``).
extension RegistryStore where Self: SQLStore {
    public func setUserAttributes(appId: String, userId: String, attributes: [String: JSONValue], now: Date) async throws -> UserProfile {
        let dialect = self.dialect
        return try await transaction(SQLPlan([SQLStatement("""
            SELECT CAST(attributes AS TEXT) FROM users WHERE app_id = ? AND user_id = ?\(dialect.forUpdate)
            """, [.text(appId), .text(userId)])]) { answers in
            let merged = UserStatements.merged(try answers[0].first?.text(0), attributes)
            return .plan(SQLPlan([SQLStatement("""
                INSERT INTO users (app_id, user_id, attributes, created_at, updated_at) VALUES (?, ?, \(dialect.json("?")), ?, ?)
                ON CONFLICT (app_id, user_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at
                """, [.text(appId), .text(userId), .text(JSONValue.object(merged).jsonText), .time(now), .time(now)])]
                + UserStatements.profileReads(appId: appId, userId: userId)) { answers in
                guard let profile = try UserStatements.profile(userId: userId, answers.dropFirst()) else {
                    throw PerchError(.internalError, "the user vanished while being written")
                }
                return .done(profile)
            })
        }, readOnly: false)
    }

    public func userProfile(appId: String, userId: String) async throws -> UserProfile? {
        try await transaction(SQLPlan(UserStatements.profileReads(appId: appId, userId: userId)) { answers in
            .done(try UserStatements.profile(userId: userId, answers[...]))
        }, readOnly: true)
    }

    /// One snapshot for the whole export.
    public func exportUser(appId: String, userId: String) async throws -> UserExport? {
        let vault = self.vault
        return try await transaction(SQLPlan(UserStatements.profileReads(appId: appId, userId: userId)) { answers in
            guard let profile = try UserStatements.profile(userId: userId, answers[...]) else { return .done(nil) }
            let ids = profile.installations.map(\.installationId)
            let installations = SQLStatement.isIn("installation_id", ids)
            let perInstallation = ids.flatMap { id in
                [InstallationStatements.consentHistory(appId: appId, installationId: id),
                 SQLStatement("SELECT \(UserStatements.tokenColumns) FROM tokens WHERE app_id = ? AND installation_id = ? ORDER BY created_at",
                              [.text(appId), .text(id)])]
            }
            return .plan(SQLPlan(perInstallation + [
                SQLStatement("""
                    SELECT type, installation_id, campaign_id, delivery_id, value, currency, CAST(properties AS TEXT), occurred_at FROM events
                    WHERE app_id = ? AND (user_id = ? OR \(installations.sql)) ORDER BY occurred_at, seq
                    """, [.text(appId), .text(userId)] + installations.values),
                SQLStatement("""
                    SELECT kind, installation_id, user_id, other_user_id, at FROM registry_log
                    WHERE app_id = ? AND (user_id = ? OR other_user_id = ? OR \(installations.sql)) ORDER BY seq
                    """, [.text(appId), .text(userId), .text(userId)] + installations.values),
            ]) { answers in
                var history: [String: [ConsentRecord]] = [:]
                var tokens: [UserExport.Token] = []
                for (index, id) in ids.enumerated() {
                    history[id] = try answers[2 * index].compactMap { try $0.consentRecord() }
                    tokens += try answers[2 * index + 1].compactMap { try UserStatements.token($0, installationId: id, vault: vault, appId: appId) }
                }
                let events = try answers[answers.count - 2].map { row in
                    UserExport.Event(type: try row.text(required: 0), installationId: try row.text(required: 1), campaignId: try row.text(2),
                                     deliveryId: try row.text(3), value: try row.real(4), currency: try row.text(5),
                                     properties: try row.text(6).flatMap(JSONValue.init(jsonText:)),
                                     occurredAt: Date(timeIntervalSince1970: try row.real(required: 7)))
                }
                let log = try answers[answers.count - 1].map { row in
                    UserExport.LogEntry(kind: try row.text(required: 0), installationId: try row.text(1), userId: try row.text(2),
                                        otherUserId: try row.text(3), at: Date(timeIntervalSince1970: try row.real(required: 4)))
                }
                return .done(UserExport(profile: profile, tokens: tokens, consentHistory: history, events: events, log: log))
            })
        }, readOnly: true)
    }

    public func eraseUser(appId: String, userId: String) async throws -> Bool {
        let (dialect, vault) = (self.dialect, self.vault)
        let erased = try await transaction(SQLPlan([
            SQLStatement("SELECT installation_id FROM installations WHERE app_id = ? AND user_id = ?\(dialect.forUpdate)", [.text(appId), .text(userId)]),
            SQLStatement("SELECT 1 FROM users WHERE app_id = ? AND user_id = ?\(dialect.forUpdate)", [.text(appId), .text(userId)]),
        ]) { answers in
            let installationIds = try answers[0].map { try $0.text(required: 0) }
            guard !answers[1].isEmpty || !installationIds.isEmpty else { return .done(false) }
            let erasure = UserErasure(userId: userId, installationIds: installationIds)
            let installations = SQLStatement.isIn("installation_id", installationIds)
            return .plan(SQLPlan(dialect.locks(installationIds.map { InstallationStatements.lockKey(appId, $0) }) + [
                SQLStatement("SELECT id, platform, sealed FROM tokens WHERE app_id = ? AND \(installations.sql)", [.text(appId)] + installations.values),
                // The campaigns and transactional sends that name the person in their audience.
                SQLStatement("""
                    SELECT \(CampaignStatements.columns) FROM campaigns WHERE app_id = ?
                      AND (\(dialect.jsonArray("definition", at: ["audience", "userIds"], holdsAnyOf: 1))
                           OR \(dialect.jsonArray("definition", at: ["audience", "installationIds"], holdsAnyOf: installationIds.count)))\(dialect.forUpdate)
                    """, [.text(appId), .text(userId)] + installationIds.map { .text($0) }),
            ]) { answers in
                let tokens = try answers[answers.count - 2].map { row -> (id: String, identity: String?) in
                    let identity = try Platform(rawValue: row.text(required: 1)).flatMap { platform in
                        (try? vault.open(try row.blob(required: 2), context: appId))
                            .flatMap { PushDestination(platform: platform, environment: nil, sealedForm: $0)?.identity }
                    }
                    return (try row.text(required: 0), identity)
                }
                let campaigns = try answers[answers.count - 1].map { try $0.campaign() }
                return .plan(.finish(try UserStatements.erase(appId: appId, erasure, tokens: tokens, campaigns: campaigns, dialect: dialect),
                                     with: true))
            })
        }, readOnly: false)
        if erased { try await forgetErased() }
        return erased
    }
}
