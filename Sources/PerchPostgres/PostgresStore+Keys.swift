/// The tables of API keys with their rotations, identity secrets and dashboard sessions (the rules are `PerchSQL`'s).
extension PostgresStore {
    /// Keys move to their own table so a rotated key can live through its grace period beside the new one (the apps
    /// columns keep naming the current keys). Apps made before identity verification get their first identity secret
    /// by rotating one in; until then the publishable key cannot bind users.
    static let keysMigration = Migration(version: 4, name: "keys-and-identity", statements: [
        "ALTER TABLE apps ADD COLUMN identity_verification text NOT NULL DEFAULT 'required'",
        """
        CREATE TABLE app_keys (
            digest text COLLATE "C" PRIMARY KEY,
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            kind text COLLATE "C" NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision
        )
        """,
        "CREATE INDEX app_keys_by_app ON app_keys (app_id, kind)",
        "INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT publishable_key_digest, id, 'publishable', created_at FROM apps",
        "INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT secret_key_digest, id, 'secret', created_at FROM apps",
        """
        CREATE TABLE identity_secrets (
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            id text COLLATE "C" NOT NULL,
            secret_sealed bytea NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision,
            PRIMARY KEY (app_id, id)
        )
        """,
        """
        CREATE TABLE dashboard_sessions (
            id_digest text COLLATE "C" PRIMARY KEY,
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            key_digest text COLLATE "C" NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision NOT NULL
        )
        """,
        "CREATE INDEX dashboard_sessions_by_app ON dashboard_sessions (app_id)",
    ])
}
