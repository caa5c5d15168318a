import Foundation
import PerchCore
import PerchStore

/// Exports written once for every ``SQLStore``: pages of installations with their tokens, opened from the vault.
extension TokenTransferStore where Self: SQLStore {
    public func installationId(appId: String, tokenId: String) async throws -> String? {
        try await row(SQLStatement("SELECT installation_id FROM tokens WHERE app_id = ? AND id = ?", [.text(appId), .text(tokenId)])) {
            try $0.text(0)
        } ?? nil
    }

    public func exportPage(appId: String, after cursor: String?, limit: Int, liveOnly: Bool) async throws -> [ExportedToken] {
        let after = ExportedToken.cursorParts(cursor)
        let vault = self.vault
        return try await rows(SQLStatement("""
            SELECT i.installation_id, i.user_id, i.app_version, i.locale, i.timezone, i.consent, CAST(i.attributes AS TEXT), i.created_at,
                   i.last_seen_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
                   t.id, t.kind, t.activity_type, t.activity_id
            FROM installations i JOIN tokens t ON t.app_id = i.app_id AND t.installation_id = i.installation_id
                AND (t.id = i.token_id OR t.kind <> 'device')
            WHERE i.app_id = ? AND (i.installation_id, t.id) > (?, ?)\(liveOnly ? " AND t.status IN ('active', 'stale')" : "")
            ORDER BY i.installation_id, t.id LIMIT ?
            """, [.text(appId), .text(after.installationId), .text(after.tokenId), .integer(max(1, limit))])) { row -> ExportedToken? in
            guard let destination = try row.storedDestination(from: 9, vault: vault, appId: appId) else { return nil }
            return ExportedToken(
                installationId: try row.text(required: 0), destination: destination, userId: try row.text(1),
                status: try row.tokenStatus(from: 12), consent: try row.text(5).flatMap(ConsentStatus.init(rawValue:)),
                appVersion: try row.text(2), locale: try row.text(3), timezone: try row.text(4),
                attributes: try row.text(6).flatMap { JSONValue(jsonText: $0)?.objectValue },
                createdAt: Date(timeIntervalSince1970: try row.real(required: 7)), lastSeenAt: Date(timeIntervalSince1970: try row.real(required: 8)),
                tokenId: try row.text(required: 16),
                kind: TokenKind(stored: try row.text(17), activityType: try row.text(18), activityId: try row.text(19)))
        }.compactMap { $0 }
    }
}
