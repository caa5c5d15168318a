import Foundation
import PerchCore

extension PostgresStore {
    /// Token kinds (device, VoIP, Live Activity start and update tokens) — the SQLite store's `v7-token-kinds`, column
    /// for column. Every token before kinds existed addresses its installation's device.
    static let tokenKindsMigration = Migration(version: 5, name: "token-kinds", statements: [
        "ALTER TABLE tokens ADD COLUMN kind text COLLATE \"C\" NOT NULL DEFAULT 'device'",
        "ALTER TABLE tokens ADD COLUMN activity_type text COLLATE \"C\"",
        "ALTER TABLE tokens ADD COLUMN activity_id text COLLATE \"C\"",
        "ALTER TABLE tokens ADD COLUMN expires_at double precision",
        "CREATE INDEX tokens_by_kind ON tokens (app_id, kind, activity_type, activity_id) WHERE kind <> 'device'",
        "CREATE INDEX tokens_expiring ON tokens (expires_at) WHERE expires_at IS NOT NULL",
    ])
}
