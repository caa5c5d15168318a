import Foundation
import PerchCore
import PerchStore

/// A person's rows as both dialects read and erase them.
public enum UserStatements {
    /// The person's attributes row and their installations, decoded by ``profile(userId:_:)``.
    public static func profileReads(appId: String, userId: String) -> [SQLStatement] {
        [
            SQLStatement("SELECT CAST(attributes AS TEXT), created_at, updated_at FROM users WHERE app_id = ? AND user_id = ?",
                         [.text(appId), .text(userId)]),
            SQLStatement("""
                SELECT \(InstallationStatements.columns) FROM installations i LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
                WHERE i.app_id = ? AND i.user_id = ? ORDER BY i.created_at, i.installation_id
                """, [.text(appId), .text(userId)]),
        ]
    }

    /// The profile from the two answers of ``profileReads(appId:userId:)``; nil for a person Perch does not know.
    public static func profile(userId: String, _ answers: ArraySlice<[any SQLRow]>) throws -> UserProfile? {
        let (user, installations) = (answers[answers.startIndex].first, try answers[answers.startIndex + 1].map { try $0.installationSummary() })
        guard user != nil || !installations.isEmpty else { return nil }
        return UserProfile(userId: userId, attributes: try user?.text(0).flatMap { JSONValue(jsonText: $0)?.objectValue } ?? [:],
                           createdAt: try user?.time(1), updatedAt: try user?.time(2), installations: installations)
    }

    /// The person's attributes with `changes` applied (a `null` removes one), from the attributes text stored.
    public static func merged(_ stored: String?, _ changes: [String: JSONValue]) -> [String: JSONValue] {
        var merged = stored.flatMap { JSONValue(jsonText: $0)?.objectValue } ?? [:]
        for (key, value) in changes {
            if value == .null { merged.removeValue(forKey: key) } else { merged[key] = value }
        }
        return merged
    }

    /// The columns ``token(_:installationId:vault:appId:)`` reads.
    static let tokenColumns = """
        id, platform, environment, sealed, status, status_reason, status_at, successor_id, created_at, last_seen_at, kind, activity_type,
        activity_id, expires_at
        """

    /// One token of an export; nil when it no longer reads.
    static func token(_ row: any SQLRow, installationId: String, vault: TokenVault, appId: String) throws -> UserExport.Token? {
        guard let destination = try row.storedDestination(from: 1, vault: vault, appId: appId) else { return nil }
        return UserExport.Token(installationId: installationId, tokenId: try row.text(required: 0), destination: destination,
                                status: try row.tokenStatus(from: 4), createdAt: Date(timeIntervalSince1970: try row.real(required: 8)),
                                lastSeenAt: Date(timeIntervalSince1970: try row.real(required: 9)),
                                kind: TokenKind(stored: try row.text(10), activityType: try row.text(11), activityId: try row.text(12)),
                                expiresAt: try row.time(13))
    }

    /// The statements that erase the person and their installations `erasure.installationIds` (their tokens with
    /// `tokens`' ids and identities): their rows go, other installations' history keeps its rows without them, and
    /// the campaigns in `campaigns` that name them are scrubbed.
    static func erase(appId: String, _ erasure: UserErasure, tokens: [(id: String, identity: String?)], campaigns: [CampaignRecord],
                      dialect: SQLDialect) throws -> [SQLStatement] {
        let (app, user) = (SQLValue.text(appId), SQLValue.text(erasure.userId))
        let installations = SQLStatement.isIn("installation_id", erasure.installationIds.sorted())
        let others = SQLStatement.isIn("other_installation_id", erasure.installationIds.sorted())
        let scrubs = try campaigns.compactMap { campaign in
            try erasure.scrubbed(campaign.definition).map {
                SQLStatement("UPDATE campaigns SET definition = \(dialect.json("?")) WHERE app_id = ? AND id = ?",
                             [.text(try CampaignStatements.definitionText($0)), app, .text(campaign.id)])
            }
        }
        // Stored Idempotency-Key answers that name the person, one of their installations or tokens go too.
        let marks = erasure.idempotencyAnswerMarks(tokenIds: tokens.map(\.id), tokens: tokens.compactMap(\.identity))
        let answers = marks.isEmpty ? [] : [SQLStatement("""
            DELETE FROM idempotency_keys WHERE app_id = ? AND body IS NOT NULL
              AND (\(marks.map { _ in dialect.contains("body", "?") }.joined(separator: " OR ")))
            """, [app] + marks.map { .text($0) })]
        return [
            SQLStatement("""
                DELETE FROM registry_log WHERE app_id = ? AND (\(installations.sql)
                    OR token_id IN (SELECT id FROM tokens WHERE app_id = ? AND \(installations.sql)))
                """, [app] + installations.values + [app] + installations.values),
            // Another installation's history keeps its rows, without the person it once pointed at.
            SQLStatement("UPDATE registry_log SET user_id = NULL WHERE app_id = ? AND user_id = ?", [app, user]),
            SQLStatement("UPDATE registry_log SET other_user_id = NULL WHERE app_id = ? AND other_user_id = ?", [app, user]),
            SQLStatement("UPDATE registry_log SET other_installation_id = NULL WHERE app_id = ? AND \(others.sql)", [app] + others.values),
        ] + scrubs + answers + ["tokens", "consent_history"].map { table in
            SQLStatement("DELETE FROM \(table) WHERE app_id = ? AND \(installations.sql)", [app] + installations.values)
        } + ["events", "deliveries", "trigger_instances"].map { table in
            SQLStatement("DELETE FROM \(table) WHERE app_id = ? AND (user_id = ? OR \(installations.sql))", [app, user] + installations.values)
        } + [
            SQLStatement("DELETE FROM installations WHERE app_id = ? AND \(installations.sql)", [app] + installations.values),
            SQLStatement("DELETE FROM users WHERE app_id = ? AND user_id = ?", [app, user]),
        ]
    }
}
