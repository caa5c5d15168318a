import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore {
    /// The campaign rollups (``RollupStatements``), filled from the facts already stored and kept by triggers in the
    /// same transaction as every write to `deliveries` and `events`, whichever code path makes it.
    static func registerRollupsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("rollups") { db in
            for statement in rollupsSchema(.undated) { try db.execute(sql: statement) }
        }
    }

    /// `CREATE TABLE` for the delivery rollups keyed as `key`, named `name`.
    static func deliveryRollupsTable(_ name: String, _ key: DeliveryRollupKey) -> String {
        """
        CREATE TABLE \(name) (
            app_id TEXT NOT NULL,
            campaign_id TEXT NOT NULL,
            variant INTEGER NOT NULL,
            locale TEXT NOT NULL,
            state TEXT NOT NULL,
            outcome TEXT NOT NULL,
            reason TEXT NOT NULL,
            attempted INTEGER NOT NULL,\(key == .daily ? "\n    day INTEGER NOT NULL," : "")
            n INTEGER NOT NULL,
            PRIMARY KEY (\(key.columns))
        ) WITHOUT ROWID
        """
    }

    /// The rollups' tables, backfill and triggers, the delivery rollups keyed as `deliveries` (the `rollups` migration
    /// built them ``DeliveryRollupKey/undated``; `daily-deliveries` rebuilds their table and triggers).
    static func rollupsSchema(_ deliveries: DeliveryRollupKey) -> [String] {
        typealias R = RollupStatements
        let defaultLocale = "'\(CampaignCounts.defaultLocale)'"
        let tables = [
            deliveryRollupsTable("campaign_delivery_rollups", .undated),
            """
            CREATE TABLE campaign_event_rollups (
                app_id TEXT NOT NULL,
                campaign_id TEXT NOT NULL,
                variant INTEGER NOT NULL,
                locale TEXT NOT NULL,
                type TEXT NOT NULL,
                day INTEGER NOT NULL,
                n INTEGER NOT NULL,
                value REAL NOT NULL,
                first_at REAL NOT NULL,
                last_at REAL NOT NULL,
                PRIMARY KEY (\(R.eventColumns))
            ) WITHOUT ROWID
            """,
            // A delivery that changes or goes takes its events' variant and locale along.
            "CREATE INDEX events_by_delivery ON events(app_id, delivery_id) WHERE delivery_id IS NOT NULL",
            """
            CREATE TABLE campaign_withdrawals (
                app_id TEXT NOT NULL,
                campaign_id TEXT NOT NULL,
                installation_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                PRIMARY KEY (app_id, installation_id, campaign_id, kind)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX campaign_withdrawals_by_campaign ON campaign_withdrawals(app_id, campaign_id, kind)",
            """
            CREATE TABLE campaign_people (
                app_id TEXT NOT NULL,
                campaign_id TEXT NOT NULL,
                person TEXT NOT NULL,
                n INTEGER NOT NULL,
                held_n INTEGER NOT NULL,
                PRIMARY KEY (app_id, campaign_id, person)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE token_health_rollups (
                app_id TEXT NOT NULL,
                platform TEXT NOT NULL,
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                status_reason TEXT NOT NULL,
                app_version TEXT NOT NULL,
                n INTEGER NOT NULL,
                PRIMARY KEY (\(R.tokenColumns))
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE campaign_people_rollups (
                app_id TEXT NOT NULL,
                campaign_id TEXT NOT NULL,
                held_out INTEGER NOT NULL,
                people INTEGER NOT NULL,
                PRIMARY KEY (app_id, campaign_id, held_out)
            ) WITHOUT ROWID
            """,
        ]
        func statements(_ list: [String]) -> String { list.joined(separator: ";\n") }
        func refresh(_ row: String) -> String {
            statements(R.refreshWithdrawals(app: "\(row).app_id", installation: "\(row).installation_id"))
        }
        let groupColumns = ["campaign_id", "variant", "locale", "state", "outcome", "reason"] + (deliveries == .daily ? ["created_at"] : [])
        let groupChanged = groupColumns.map { "OLD.\($0) IS NOT NEW.\($0)" }.joined(separator: " OR ") + " OR (OLD.attempts > 0) IS NOT (NEW.attempts > 0)"
        let triggers = [
            """
            CREATE TRIGGER deliveries_rollup_insert AFTER INSERT ON deliveries BEGIN
                \(R.countDelivery("NEW", sign: 1, deliveries, .sqlite));
                \(R.countPerson("NEW", sign: 1));
                \(statements(R.addWithdrawals(of: "NEW")));
            END
            """,
            """
            CREATE TRIGGER deliveries_rollup_update AFTER UPDATE OF \((groupColumns + ["attempts"]).joined(separator: ", ")) ON deliveries
            WHEN \(groupChanged) BEGIN
                \(R.countDelivery("OLD", sign: -1, deliveries, .sqlite));
                \(R.countDelivery("NEW", sign: 1, deliveries, .sqlite));
            END
            """,
            """
            CREATE TRIGGER deliveries_rollup_move_events AFTER UPDATE OF variant, locale ON deliveries
            WHEN OLD.variant IS NOT NEW.variant OR OLD.locale IS NOT NEW.locale BEGIN
                \(R.moveEvents(of: "OLD", variant: "COALESCE(OLD.variant, -1)", locale: "COALESCE(OLD.locale, \(defaultLocale))", sign: -1, .sqlite));
                \(R.moveEvents(of: "NEW", variant: "COALESCE(NEW.variant, -1)", locale: "COALESCE(NEW.locale, \(defaultLocale))", sign: 1, .sqlite));
            END
            """,
            """
            CREATE TRIGGER deliveries_rollup_delete AFTER DELETE ON deliveries BEGIN
                \(R.countDelivery("OLD", sign: -1, deliveries, .sqlite));
                \(R.countPerson("OLD", sign: -1));
                \(R.moveEvents(of: "OLD", variant: "COALESCE(OLD.variant, -1)", locale: "COALESCE(OLD.locale, \(defaultLocale))", sign: -1, .sqlite));
                \(R.moveEvents(of: "OLD", variant: "-1", locale: "''", sign: 1, .sqlite));
            END
            """,
            """
            CREATE TRIGGER deliveries_people_update AFTER UPDATE OF campaign_id, user_id, installation_id, reason ON deliveries
            WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.user_id IS NOT NEW.user_id OR OLD.installation_id IS NOT NEW.installation_id
                OR (COALESCE(OLD.reason, '') = 'holdout') IS NOT (COALESCE(NEW.reason, '') = 'holdout') BEGIN
                \(R.countPerson("OLD", sign: -1));
                \(R.countPerson("NEW", sign: 1));
            END
            """,
            """
            CREATE TRIGGER deliveries_withdrawals_accepted AFTER UPDATE OF state ON deliveries
            WHEN OLD.state IS NOT 'accepted' AND NEW.state = 'accepted' BEGIN
                \(statements(R.addWithdrawals(of: "NEW")));
            END
            """,
            """
            CREATE TRIGGER deliveries_withdrawals_changed AFTER UPDATE OF state, accepted_at, installation_id, campaign_id ON deliveries
            WHEN OLD.state = 'accepted' AND (NEW.state IS NOT 'accepted' OR OLD.accepted_at IS NOT NEW.accepted_at
                OR OLD.installation_id IS NOT NEW.installation_id OR OLD.campaign_id IS NOT NEW.campaign_id) BEGIN
                \(refresh("OLD"));
                \(refresh("NEW"));
            END
            """,
            """
            CREATE TRIGGER deliveries_withdrawals_delete AFTER DELETE ON deliveries WHEN OLD.state = 'accepted' BEGIN
                \(refresh("OLD"));
            END
            """,
            """
            CREATE TRIGGER consent_history_withdrawals_insert AFTER INSERT ON consent_history WHEN NEW.status IN ('revoked', 'denied') BEGIN
                \(refresh("NEW"));
            END
            """,
            """
            CREATE TRIGGER consent_history_withdrawals_delete AFTER DELETE ON consent_history WHEN OLD.status IN ('revoked', 'denied') BEGIN
                \(refresh("OLD"));
            END
            """,
            """
            CREATE TRIGGER registry_log_withdrawals_insert AFTER INSERT ON registry_log WHEN NEW.kind = 'unregistered' BEGIN
                \(refresh("NEW"));
            END
            """,
            """
            CREATE TRIGGER registry_log_withdrawals_delete AFTER DELETE ON registry_log WHEN OLD.kind = 'unregistered' BEGIN
                \(refresh("OLD"));
            END
            """,
            """
            CREATE TRIGGER events_withdrawals_insert AFTER INSERT ON events WHEN NEW.type = 'permission_revoked' BEGIN
                \(refresh("NEW"));
            END
            """,
            """
            CREATE TRIGGER events_withdrawals_delete AFTER DELETE ON events WHEN OLD.type = 'permission_revoked' BEGIN
                \(refresh("OLD"));
            END
            """,
            """
            CREATE TRIGGER tokens_rollup_insert AFTER INSERT ON tokens BEGIN
                \(R.countToken("NEW", sign: 1));
            END
            """,
            """
            CREATE TRIGGER tokens_rollup_update AFTER UPDATE OF app_id, platform, kind, status, status_reason, installation_id ON tokens
            WHEN OLD.app_id IS NOT NEW.app_id OR OLD.platform IS NOT NEW.platform OR OLD.kind IS NOT NEW.kind OR OLD.status IS NOT NEW.status
                OR OLD.status_reason IS NOT NEW.status_reason OR OLD.installation_id IS NOT NEW.installation_id BEGIN
                \(R.countToken("OLD", sign: -1));
                \(R.countToken("NEW", sign: 1));
            END
            """,
            """
            CREATE TRIGGER tokens_rollup_delete AFTER DELETE ON tokens BEGIN
                \(R.countToken("OLD", sign: -1));
            END
            """,
            """
            CREATE TRIGGER installations_rollup_insert AFTER INSERT ON installations BEGIN
                \(R.moveTokens(of: "NEW", version: "''", sign: -1));
                \(R.moveTokens(of: "NEW", version: "COALESCE(NEW.app_version, '')", sign: 1));
            END
            """,
            """
            CREATE TRIGGER installations_rollup_update AFTER UPDATE OF app_version ON installations
            WHEN OLD.app_version IS NOT NEW.app_version BEGIN
                \(R.moveTokens(of: "OLD", version: "COALESCE(OLD.app_version, '')", sign: -1));
                \(R.moveTokens(of: "NEW", version: "COALESCE(NEW.app_version, '')", sign: 1));
            END
            """,
            """
            CREATE TRIGGER installations_rollup_delete AFTER DELETE ON installations BEGIN
                \(R.moveTokens(of: "OLD", version: "COALESCE(OLD.app_version, '')", sign: -1));
                \(R.moveTokens(of: "OLD", version: "''", sign: 1));
            END
            """,
            """
            CREATE TRIGGER campaign_people_insert AFTER INSERT ON campaign_people BEGIN
                \(R.countPeople("NEW", sign: 1));
            END
            """,
            """
            CREATE TRIGGER campaign_people_update AFTER UPDATE ON campaign_people BEGIN
                \(R.countPeople("OLD", sign: -1));
                \(R.countPeople("NEW", sign: 1));
            END
            """,
            """
            CREATE TRIGGER campaign_people_delete AFTER DELETE ON campaign_people BEGIN
                \(R.countPeople("OLD", sign: -1));
            END
            """,
        ]
        return tables + R.backfill(.sqlite, deliveries: deliveries) + [R.backfillPeopleCounts] + triggers + createEventRollupTriggers
    }
}

/// `perch analytics verify`: the shared recomputation of `PerchSQL`.
extension SQLiteStore: RollupStore {}
