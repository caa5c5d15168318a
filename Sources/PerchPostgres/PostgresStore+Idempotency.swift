import PerchSQL
import PerchStore

/// Idempotency keys: the shared statements of `PerchSQL` (``IdempotencyStore``).
extension PostgresStore: IdempotencyStore {
    /// `status` is `NULL` while the first request is being handled; `body` is the answer's text.
    static let idempotencyMigration = Migration(version: 7, name: "idempotency-keys", statements: [
        """
        CREATE TABLE idempotency_keys (
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            "key" text COLLATE "C" NOT NULL,
            fingerprint text COLLATE "C" NOT NULL,
            created_at double precision NOT NULL,
            status bigint,
            content_type text,
            body text,
            PRIMARY KEY (app_id, "key")
        )
        """,
        "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)",
    ])
}
