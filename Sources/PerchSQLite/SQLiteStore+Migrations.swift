import GRDB

extension SQLiteStore {
    /// Versioned migrations; a migration once shipped is never edited, only followed.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry") { db in
            try db.execute(sql: """
                CREATE TABLE apps (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    bundle_id TEXT,
                    web_origin TEXT,
                    publishable_key_digest TEXT NOT NULL UNIQUE,
                    secret_key_digest TEXT NOT NULL UNIQUE,
                    vapid_public_key TEXT NOT NULL,
                    vapid_private_key_sealed BLOB NOT NULL,
                    allowed_endpoint_hosts TEXT NOT NULL DEFAULT '[]',
                    created_at REAL NOT NULL
                );
                CREATE TABLE gateways (
                    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                    platform TEXT NOT NULL,
                    settings_sealed BLOB NOT NULL,
                    summary TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app_id, platform)
                );
                CREATE TABLE users (
                    app_id TEXT NOT NULL,
                    user_id TEXT NOT NULL,
                    attributes TEXT NOT NULL DEFAULT '{}',
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app_id, user_id)
                ) WITHOUT ROWID;
                CREATE TABLE installations (
                    app_id TEXT NOT NULL,
                    installation_id TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    user_id TEXT,
                    token_id TEXT,
                    app_version TEXT,
                    locale TEXT,
                    timezone TEXT,
                    consent TEXT,
                    consent_source TEXT,
                    consent_at REAL,
                    attributes TEXT,
                    created_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL,
                    PRIMARY KEY (app_id, installation_id)
                );
                CREATE INDEX installations_by_user ON installations(app_id, user_id) WHERE user_id IS NOT NULL;
                CREATE TABLE tokens (
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    environment TEXT,
                    installation_id TEXT,
                    blind_index BLOB NOT NULL,
                    sealed BLOB NOT NULL,
                    status TEXT NOT NULL,
                    status_reason TEXT,
                    status_at REAL,
                    successor_id TEXT,
                    created_at REAL NOT NULL,
                    last_seen_at REAL NOT NULL,
                    last_token_update_at REAL NOT NULL,
                    PRIMARY KEY (app_id, id)
                );
                CREATE UNIQUE INDEX tokens_by_blind_index ON tokens(app_id, blind_index);
                CREATE INDEX tokens_by_installation ON tokens(app_id, installation_id);
                CREATE INDEX tokens_by_status_seen ON tokens(status, last_seen_at);
                CREATE TABLE consent_history (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    app_id TEXT NOT NULL,
                    installation_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    source TEXT NOT NULL,
                    at REAL NOT NULL
                );
                CREATE INDEX consent_history_by_installation ON consent_history(app_id, installation_id);
                CREATE TABLE registry_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    app_id TEXT NOT NULL,
                    at REAL NOT NULL,
                    kind TEXT NOT NULL,
                    installation_id TEXT,
                    token_id TEXT,
                    user_id TEXT,
                    other_user_id TEXT,
                    other_installation_id TEXT
                );
                CREATE INDEX registry_log_by_installation ON registry_log(app_id, installation_id);
                CREATE TABLE events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    installation_id TEXT NOT NULL,
                    user_id TEXT,
                    campaign_id TEXT,
                    delivery_id TEXT,
                    value REAL,
                    currency TEXT,
                    properties TEXT,
                    occurred_at REAL NOT NULL,
                    received_at REAL NOT NULL
                );
                CREATE INDEX events_by_installation ON events(app_id, installation_id);
                CREATE INDEX events_by_user ON events(app_id, user_id) WHERE user_id IS NOT NULL;
                CREATE INDEX events_by_type ON events(app_id, type, occurred_at);
                """)
        }
        migrator.registerMigration("v2-audience") { db in
            // Sortable semantic-version key, so `appVersion >= "2.3"` is an index-friendly string comparison.
            try db.execute(sql: """
                ALTER TABLE installations ADD COLUMN app_version_key TEXT;
                CREATE INDEX tokens_by_app_status ON tokens(app_id, status);
                """)
        }
        migrator.registerMigration("v3-campaigns") { db in
            try db.execute(sql: """
                CREATE TABLE segments (
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    filter TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app_id, id)
                );
                CREATE TABLE campaigns (
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    definition TEXT NOT NULL,
                    status TEXT NOT NULL,
                    trigger_event TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    start_at REAL,
                    started_at REAL,
                    resolved_at REAL,
                    completed_at REAL,
                    cancelled_at REAL,
                    PRIMARY KEY (app_id, id)
                );
                CREATE INDEX campaigns_to_resolve ON campaigns(start_at) WHERE resolved_at IS NULL AND status IN ('scheduled', 'running');
                CREATE INDEX campaigns_by_trigger ON campaigns(app_id, trigger_event) WHERE trigger_event IS NOT NULL;
                CREATE TABLE deliveries (
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    campaign_id TEXT NOT NULL,
                    occurrence TEXT NOT NULL DEFAULT '',
                    token_id TEXT NOT NULL,
                    installation_id TEXT NOT NULL,
                    user_id TEXT,
                    platform TEXT NOT NULL,
                    variant INTEGER,
                    state TEXT NOT NULL,
                    outcome TEXT,
                    reason TEXT,
                    reason_detail TEXT,
                    gateway_status INTEGER,
                    gateway_message_id TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    due_at REAL NOT NULL,
                    expires_at REAL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    accepted_at REAL,
                    PRIMARY KEY (app_id, id),
                    UNIQUE (app_id, campaign_id, occurrence, token_id)
                );
                CREATE INDEX deliveries_due ON deliveries(due_at) WHERE state IN ('pending', 'retry', 'sending');
                CREATE INDEX deliveries_by_installation ON deliveries(app_id, installation_id);
                CREATE INDEX deliveries_by_person_time ON deliveries(app_id, due_at) WHERE state IN ('pending', 'retry', 'sending', 'accepted');
                CREATE TABLE trigger_instances (
                    app_id TEXT NOT NULL,
                    id TEXT NOT NULL,
                    campaign_id TEXT NOT NULL,
                    installation_id TEXT NOT NULL,
                    user_id TEXT,
                    event_at REAL NOT NULL,
                    fire_at REAL NOT NULL,
                    state TEXT NOT NULL,
                    updated_at REAL NOT NULL,
                    PRIMARY KEY (app_id, id)
                );
                CREATE INDEX trigger_instances_due ON trigger_instances(fire_at) WHERE state = 'waiting';
                CREATE TABLE gateway_pauses (
                    app_id TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    since REAL NOT NULL,
                    PRIMARY KEY (app_id, platform)
                );
                CREATE INDEX events_by_campaign ON events(app_id, campaign_id, type) WHERE campaign_id IS NOT NULL;
                """)
        }
        migrator.registerMigration("v4-coordination") { db in
            try db.execute(sql: """
                CREATE TABLE leases (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    expires_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE send_windows (
                    app_id TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    requested INTEGER NOT NULL,
                    used INTEGER NOT NULL,
                    PRIMARY KEY (app_id, platform, window_start)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v5-report-indexes") { db in
            // Per-installation questions name the event type and time (opt-in: a grant after the prompt), so the
            // index leads with them; the old two-column index is its prefix. Open deliveries per campaign for completion.
            try db.execute(sql: """
                CREATE INDEX events_by_installation_type ON events(app_id, installation_id, type, occurred_at);
                DROP INDEX events_by_installation;
                -- "Is anything of this campaign left to send?" after every recorded batch, without walking the sent rows.
                CREATE INDEX deliveries_open ON deliveries(app_id, campaign_id) WHERE state IN ('pending', 'retry', 'sending');
                -- An outcome names its campaign, not its app: the campaign's row is found by id alone.
                CREATE UNIQUE INDEX campaigns_by_id ON campaigns(id);
                """)
        }
        migrator.registerMigration("v6-keys-and-identity") { db in
            // Keys move to their own table so an app can hold a rotated key through its grace period beside the new one;
            // the apps columns keep naming the current keys. Apps made before identity verification have no identity
            // secret: their operator rotates one in (POST /v1/apps/{id}/identity-secret/rotate) — until then the
            // publishable key cannot bind users, which is the safe side.
            try db.execute(sql: """
                ALTER TABLE apps ADD COLUMN identity_verification TEXT NOT NULL DEFAULT 'required';
                CREATE TABLE app_keys (
                    digest TEXT PRIMARY KEY,
                    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL
                ) WITHOUT ROWID;
                CREATE INDEX app_keys_by_app ON app_keys(app_id, kind);
                INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT publishable_key_digest, id, 'publishable', created_at FROM apps;
                INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT secret_key_digest, id, 'secret', created_at FROM apps;
                CREATE TABLE identity_secrets (
                    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                    id TEXT NOT NULL,
                    secret_sealed BLOB NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL,
                    PRIMARY KEY (app_id, id)
                ) WITHOUT ROWID;
                CREATE TABLE dashboard_sessions (
                    id_digest TEXT PRIMARY KEY,
                    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                    key_digest TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX dashboard_sessions_by_app ON dashboard_sessions(app_id);
                """)
        }
        migrator.registerMigration("v7-token-kinds") { db in
            // Every token before kinds existed addresses its installation's device. Live Activity update tokens carry
            // the end of their life; the partial index lets hygiene find them without walking the rest.
            try db.execute(sql: """
                ALTER TABLE tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'device';
                ALTER TABLE tokens ADD COLUMN activity_type TEXT;
                ALTER TABLE tokens ADD COLUMN activity_id TEXT;
                ALTER TABLE tokens ADD COLUMN expires_at REAL;
                CREATE INDEX tokens_by_kind ON tokens(app_id, kind, activity_type, activity_id) WHERE kind <> 'device';
                CREATE INDEX tokens_expiring ON tokens(expires_at) WHERE expires_at IS NOT NULL;
                """)
        }
        registerIdempotencyMigration(&migrator)
        registerDeliveryLocaleMigration(&migrator)
        registerRollupsMigration(&migrator)
        registerEventRollupTriggersMigration(&migrator)
        registerHealthRollupsMigration(&migrator)
        registerConversionRollupsMigration(&migrator)
        registerDailyDeliveriesMigration(&migrator)
        registerCampaignPeopleTriggersMigration(&migrator)
        registerCompletionFromRollupsMigration(&migrator)
        return migrator
    }
}
