import Foundation
import PerchCore
import PerchStore

/// The app statements both dialects run as written.
public enum AppStatements {
    /// The columns ``SQLRow/app()`` reads, in its order (the allowed hosts as JSON text: `jsonb` in PostgreSQL).
    public static let columns = """
        id, name, bundle_id, web_origin, vapid_public_key, CAST(allowed_endpoint_hosts AS TEXT), identity_verification, created_at
        """

    public static func app(id: String) -> SQLStatement {
        SQLStatement("SELECT \(columns) FROM apps WHERE id = ?", [.text(id)])
    }

    public static let all = SQLStatement("SELECT \(columns) FROM apps ORDER BY created_at")

    /// An app's two new keys.
    public static func insertKeys(appId: String, publishable: APIKey, secret: APIKey, now: Date) -> [SQLStatement] {
        [(publishable, APIKey.Kind.publishable), (secret, .secret)].map { key, kind in
            SQLStatement("INSERT INTO app_keys (digest, app_id, kind, created_at) VALUES (?, ?, ?, ?)",
                         [.text(key.digest), .text(appId), .text(kind.rawValue), .time(now)])
        }
    }

    public static func insertIdentitySecret(appId: String, _ identity: SealedIdentitySecret, now: Date) -> SQLStatement {
        SQLStatement("INSERT INTO identity_secrets (app_id, id, secret_sealed, created_at) VALUES (?, ?, ?, ?)",
                     [.text(appId), .text(identity.id), .blob(identity.sealed), .time(now)])
    }

    /// Starts the grace period of the app's live rows in `table` (keys or identity secrets): each ends at `end`, or
    /// earlier if an earlier rotation set it so; rows already over are deleted.
    public static func endGrace(table: String, appId: String, end: Date, now: Date) -> [SQLStatement] {
        [
            SQLStatement("DELETE FROM \(table) WHERE app_id = ? AND expires_at <= ?", [.text(appId), .time(now)]),
            SQLStatement("UPDATE \(table) SET expires_at = ? WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?)",
                         [.time(end), .text(appId), .time(end)]),
        ]
    }
}
