import Foundation
import PostgresNIO

extension PostgresStore {
    /// One schema step. A migration once shipped is never edited, only followed.
    struct Migration: Sendable {
        var version: Int
        var name: String
        var statements: [String]
    }

    /// Applies every migration not yet recorded in `schema_migrations` (or, testing an upgrade, those up to and including
    /// version `upTo`), each in its own transaction.
    /// Several processes starting at once take turns on an advisory lock, so each step runs once.
    public func migrate(upTo: Int = .max) async throws {
        try await transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(hashtextextended('perch.schema_migrations', 0))", logger: logger)
            try await connection.run("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at double precision NOT NULL
                )
                """, logger: logger)
            let applied = Set(try await connection.rows("SELECT version FROM schema_migrations", logger: logger)
                .map { try $0[0].decode(Int.self) })
            for migration in Self.migrations where !applied.contains(migration.version) && migration.version <= upTo {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Date().timeIntervalSince1970
                try await connection.run("""
                    INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))
                    """, logger: logger)
                logger.info("applied a schema migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    /// The versions applied so far, in order.
    public func appliedMigrations() async throws -> [Int] {
        try await rows("SELECT version FROM schema_migrations ORDER BY version").map { try $0[0].decode(Int.self) }
    }

    /// The schema. It mirrors the SQLite one column for column (times are seconds since 1970 as
    /// `double precision`, so `perch migrate` compares rows exactly), with `app_id` leading every
    /// key and index, `jsonb` for JSON and `bytea` for sealed material. Columns that audience
    /// filters order (`<`, `>`) use the "C" collation, as SQLite's BINARY does.
    static let migrations: [Migration] = [
        Migration(version: 1, name: "registry", statements: [
            """
            CREATE TABLE apps (
                id text COLLATE "C" PRIMARY KEY,
                name text NOT NULL,
                bundle_id text,
                web_origin text,
                publishable_key_digest text NOT NULL UNIQUE,
                secret_key_digest text NOT NULL UNIQUE,
                vapid_public_key text NOT NULL,
                vapid_private_key_sealed bytea NOT NULL,
                allowed_endpoint_hosts jsonb NOT NULL DEFAULT '[]',
                created_at double precision NOT NULL
            )
            """,
            """
            CREATE TABLE gateways (
                app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
                platform text COLLATE "C" NOT NULL,
                settings_sealed bytea NOT NULL,
                summary jsonb NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (app_id, platform)
            )
            """,
            """
            CREATE TABLE users (
                app_id text COLLATE "C" NOT NULL,
                user_id text COLLATE "C" NOT NULL,
                attributes jsonb NOT NULL DEFAULT '{}',
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (app_id, user_id)
            )
            """,
            """
            CREATE TABLE installations (
                app_id text COLLATE "C" NOT NULL,
                installation_id text COLLATE "C" NOT NULL,
                platform text COLLATE "C" NOT NULL,
                user_id text COLLATE "C",
                token_id text COLLATE "C",
                app_version text,
                app_version_key text COLLATE "C",
                locale text COLLATE "C",
                timezone text COLLATE "C",
                consent text COLLATE "C",
                consent_source text,
                consent_at double precision,
                attributes jsonb,
                created_at double precision NOT NULL,
                last_seen_at double precision NOT NULL,
                PRIMARY KEY (app_id, installation_id)
            )
            """,
            "CREATE INDEX installations_by_user ON installations (app_id, user_id) WHERE user_id IS NOT NULL",
            """
            CREATE TABLE tokens (
                app_id text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                platform text COLLATE "C" NOT NULL,
                environment text,
                installation_id text COLLATE "C",
                blind_index bytea NOT NULL,
                sealed bytea NOT NULL,
                status text COLLATE "C" NOT NULL,
                status_reason text,
                status_at double precision,
                successor_id text COLLATE "C",
                created_at double precision NOT NULL,
                last_seen_at double precision NOT NULL,
                last_token_update_at double precision NOT NULL,
                PRIMARY KEY (app_id, id)
            )
            """,
            "CREATE UNIQUE INDEX tokens_by_blind_index ON tokens (app_id, blind_index)",
            "CREATE INDEX tokens_by_installation ON tokens (app_id, installation_id)",
            "CREATE INDEX tokens_by_status_seen ON tokens (app_id, status, last_seen_at)",
            """
            CREATE TABLE consent_history (
                app_id text COLLATE "C" NOT NULL,
                seq bigint GENERATED BY DEFAULT AS IDENTITY,
                installation_id text COLLATE "C" NOT NULL,
                status text NOT NULL,
                source text NOT NULL,
                at double precision NOT NULL,
                PRIMARY KEY (app_id, seq)
            )
            """,
            "CREATE INDEX consent_history_by_installation ON consent_history (app_id, installation_id, seq)",
            """
            CREATE TABLE registry_log (
                app_id text COLLATE "C" NOT NULL,
                seq bigint GENERATED BY DEFAULT AS IDENTITY,
                at double precision NOT NULL,
                kind text NOT NULL,
                installation_id text COLLATE "C",
                token_id text COLLATE "C",
                user_id text COLLATE "C",
                other_user_id text COLLATE "C",
                other_installation_id text COLLATE "C",
                PRIMARY KEY (app_id, seq)
            )
            """,
            "CREATE INDEX registry_log_by_installation ON registry_log (app_id, installation_id)",
            "CREATE INDEX registry_log_by_user ON registry_log (app_id, user_id) WHERE user_id IS NOT NULL",
            """
            CREATE TABLE events (
                app_id text COLLATE "C" NOT NULL,
                seq bigint GENERATED BY DEFAULT AS IDENTITY,
                id text COLLATE "C" NOT NULL,
                type text COLLATE "C" NOT NULL,
                installation_id text COLLATE "C" NOT NULL,
                user_id text COLLATE "C",
                campaign_id text,
                delivery_id text,
                value double precision,
                currency text,
                properties jsonb,
                occurred_at double precision NOT NULL,
                received_at double precision NOT NULL,
                PRIMARY KEY (app_id, seq)
            )
            """,
            "CREATE INDEX events_by_installation ON events (app_id, installation_id, type, occurred_at)",
            "CREATE INDEX events_by_user ON events (app_id, user_id, type, occurred_at) WHERE user_id IS NOT NULL",
            "CREATE INDEX events_by_type ON events (app_id, type, occurred_at)",
        ]),
        // The SQLite "v3-campaigns" step, column for column. Three indexes do not lead with `app_id`, on purpose: the
        // queue (`deliveries_due`), the scheduler (`campaigns_to_resolve`) and the trigger clock (`trigger_instances_due`)
        // look across every app in time order, and `campaigns_by_id` finds a campaign from a delivery update, which
        // carries no app. On Citus each shard keeps its own copy of them; only unique keys must hold the distribution
        // column, and every unique key here leads with `app_id`.
        Migration(version: 2, name: "campaigns", statements: [
            """
            CREATE TABLE segments (
                app_id text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                name text NOT NULL,
                filter text NOT NULL,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (app_id, id)
            )
            """,
            """
            CREATE TABLE campaigns (
                app_id text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                kind text COLLATE "C" NOT NULL,
                definition jsonb NOT NULL,
                status text COLLATE "C" NOT NULL,
                trigger_event text COLLATE "C",
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                start_at double precision,
                started_at double precision,
                resolved_at double precision,
                completed_at double precision,
                cancelled_at double precision,
                PRIMARY KEY (app_id, id)
            )
            """,
            "CREATE INDEX campaigns_to_resolve ON campaigns (start_at) WHERE resolved_at IS NULL AND status IN ('scheduled', 'running')",
            "CREATE INDEX campaigns_by_trigger ON campaigns (app_id, trigger_event) WHERE trigger_event IS NOT NULL",
            "CREATE INDEX campaigns_by_id ON campaigns (id)",
            """
            CREATE TABLE deliveries (
                app_id text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                occurrence text COLLATE "C" NOT NULL DEFAULT '',
                token_id text COLLATE "C" NOT NULL,
                installation_id text COLLATE "C" NOT NULL,
                user_id text COLLATE "C",
                platform text COLLATE "C" NOT NULL,
                variant bigint,
                state text COLLATE "C" NOT NULL,
                outcome text,
                reason text,
                reason_detail text,
                gateway_status bigint,
                gateway_message_id text,
                attempts bigint NOT NULL DEFAULT 0,
                due_at double precision NOT NULL,
                expires_at double precision,
                created_at double precision NOT NULL,
                updated_at double precision NOT NULL,
                accepted_at double precision,
                PRIMARY KEY (app_id, id),
                UNIQUE (app_id, campaign_id, occurrence, token_id)
            )
            """,
            // The queue's index: only rows still to send, in the order they fall due (a claimed row's due_at is its lease end).
            "CREATE INDEX deliveries_due ON deliveries (due_at) WHERE state IN ('pending', 'retry', 'sending')",
            // Whether a campaign has anything left to send, answered without walking its finished rows.
            "CREATE INDEX deliveries_open ON deliveries (app_id, campaign_id) WHERE state IN ('pending', 'retry', 'sending')",
            "CREATE INDEX deliveries_by_installation ON deliveries (app_id, installation_id)",
            "CREATE INDEX deliveries_by_person_time ON deliveries (app_id, due_at) WHERE state IN ('pending', 'retry', 'sending', 'accepted')",
            """
            CREATE TABLE trigger_instances (
                app_id text COLLATE "C" NOT NULL,
                id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                installation_id text COLLATE "C" NOT NULL,
                user_id text COLLATE "C",
                event_at double precision NOT NULL,
                fire_at double precision NOT NULL,
                state text COLLATE "C" NOT NULL,
                updated_at double precision NOT NULL,
                PRIMARY KEY (app_id, id)
            )
            """,
            "CREATE INDEX trigger_instances_due ON trigger_instances (fire_at) WHERE state = 'waiting'",
            """
            CREATE TABLE gateway_pauses (
                app_id text COLLATE "C" NOT NULL,
                platform text COLLATE "C" NOT NULL,
                reason text NOT NULL,
                since double precision NOT NULL,
                PRIMARY KEY (app_id, platform)
            )
            """,
            "CREATE INDEX events_by_campaign ON events (app_id, campaign_id, type) WHERE campaign_id IS NOT NULL",
        ]),
        coordinationMigration,
        keysMigration,
        tokenKindsMigration,
        idempotencyMigration,
        deliveryLocaleMigration,
        rollupsMigration,
        healthRollupsMigration,
        conversionRollupsMigration,
        shardedTokenHealthMigration,
        dailyDeliveriesMigration,
        emptyStatementGuardsMigration,
        shardedDeliveryRollupsMigration,
        dueDeliveriesMigration,
        newPeopleConversionsMigration,
        withdrawalFactsMigration,
        claimPlanMigration,
        completionFromRollupsMigration,
    ]
}
