import GRDB
import PerchSQL
import PerchStore

/// Idempotency keys: the shared statements of `PerchSQL` (``IdempotencyStore``).
extension SQLiteStore: IdempotencyStore {
    /// `status` is `NULL` while the first request is being handled; `body` is the answer's text.
    static func registerIdempotencyMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("idempotency-keys") { db in
            try db.execute(sql: """
                CREATE TABLE idempotency_keys (
                    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                    "key" TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    status INTEGER,
                    content_type TEXT,
                    body TEXT,
                    PRIMARY KEY (app_id, "key")
                ) WITHOUT ROWID;
                CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
                """)
        }
    }
}
