import Foundation
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore: TokenTransferStore {
    public func installationId(appId: String, tokenId: String) async throws -> String? {
        try await rows("SELECT installation_id FROM tokens WHERE app_id = \(appId) AND id = \(tokenId)").first?[0].decode(String?.self)
    }

    public func exportPage(appId: String, after cursor: String?, limit: Int, liveOnly: Bool) async throws -> [ExportedToken] {
        let after = ExportedToken.cursorParts(cursor)
        let rows = try await self.rows("""
            SELECT i.installation_id, i.user_id, i.app_version, i.locale, i.timezone, i.consent, i.attributes::text AS attributes, i.created_at,
                   i.last_seen_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
                   t.id, t.kind, t.activity_type, t.activity_id
            FROM installations i JOIN tokens t ON t.app_id = i.app_id AND t.installation_id = i.installation_id
                AND (t.id = i.token_id OR t.kind <> 'device')
            WHERE i.app_id = \(appId) AND (i.installation_id, t.id) > (\(after.installationId), \(after.tokenId))
                AND (NOT \(liveOnly) OR t.status IN ('active', 'stale'))
            ORDER BY i.installation_id, t.id LIMIT \(max(1, limit))
            """)
        return try rows.compactMap { row -> ExportedToken? in
            guard let platform = Platform(rawValue: try row["platform"].decode(String.self)) else { return nil }
            let environment = try row["environment"].decode(String?.self).flatMap(APNsEnvironment.init(rawValue:))
            guard let destination = PushDestination(platform: platform, environment: environment,
                                                    sealedForm: try vault.open(try row["sealed"].decode(Data.self), context: appId))
            else { return nil }
            let attributes = try row["attributes"].decode(String?.self).flatMap { JSONValue(jsonText: $0)?.objectValue }
            return ExportedToken(
                installationId: try row["installation_id"].decode(String.self), destination: destination,
                userId: try row["user_id"].decode(String?.self), status: try Self.tokenStatus(row),
                consent: try row["consent"].decode(String?.self).flatMap(ConsentStatus.init(rawValue:)),
                appVersion: try row["app_version"].decode(String?.self), locale: try row["locale"].decode(String?.self),
                timezone: try row["timezone"].decode(String?.self), attributes: attributes,
                createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
                lastSeenAt: Date(timeIntervalSince1970: try row["last_seen_at"].decode(Double.self)),
                tokenId: try row["id"].decode(String.self),
                kind: TokenKind(stored: try row["kind"].decode(String?.self), activityType: try row["activity_type"].decode(String?.self),
                                activityId: try row["activity_id"].decode(String?.self)))
        }
    }
}
