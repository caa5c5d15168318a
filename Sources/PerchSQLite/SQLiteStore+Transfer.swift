import Foundation
import GRDB
import PerchCore
import PerchStore

extension SQLiteStore: TokenTransferStore {
    public func installationId(appId: String, tokenId: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT installation_id FROM tokens WHERE app_id = ? AND id = ?", arguments: [appId, tokenId])
        }
    }

    public func exportPage(appId: String, after cursor: String?, limit: Int, liveOnly: Bool) async throws -> [ExportedToken] {
        let vault = self.vault
        return try await pool.read { db -> [ExportedToken] in
            let after = ExportedToken.cursorParts(cursor)
            let rows = try Row.fetchAll(db, sql: """
                SELECT i.installation_id, i.user_id, i.app_version, i.locale, i.timezone, i.consent, i.attributes, i.created_at,
                       i.last_seen_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
                       t.id, t.kind, t.activity_type, t.activity_id
                FROM installations i JOIN tokens t ON t.app_id = i.app_id AND t.installation_id = i.installation_id
                    AND (t.id = i.token_id OR t.kind <> 'device')
                WHERE i.app_id = ? AND (i.installation_id, t.id) > (?, ?)\(liveOnly ? " AND t.status IN ('active', 'stale')" : "")
                ORDER BY i.installation_id, t.id LIMIT ?
                """, arguments: [appId, after.installationId, after.tokenId, max(1, limit)])
            return try rows.compactMap { row -> ExportedToken? in
                guard let platform = Platform(rawValue: row["platform"]) else { return nil }
                let environment = (row["environment"] as String?).flatMap(APNsEnvironment.init(rawValue:))
                guard let destination = PushDestination(platform: platform, environment: environment,
                                                        sealedForm: try vault.open(row["sealed"], context: appId))
                else { return nil }
                let attributes = (row["attributes"] as String?).flatMap { JSONValue(jsonText: $0)?.objectValue }
                return ExportedToken(
                    installationId: row["installation_id"], destination: destination, userId: row["user_id"], status: Self.tokenStatus(row),
                    consent: (row["consent"] as String?).flatMap(ConsentStatus.init(rawValue:)), appVersion: row["app_version"],
                    locale: row["locale"], timezone: row["timezone"], attributes: attributes,
                    createdAt: Date(stored: row["created_at"]), lastSeenAt: Date(stored: row["last_seen_at"]), tokenId: row["id"],
                    kind: TokenKind(stored: row["kind"], activityType: row["activity_type"], activityId: row["activity_id"]))
            }
        }
    }
}
