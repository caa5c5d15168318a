import PerchCore
import PerchSQL
import PerchStore

extension PostgresStore {
    /// The campaign rollups (``RollupStatements``), filled from the facts already stored and kept by statement-level
    /// triggers in the same transaction as every write to `deliveries` and `events`, whichever code path makes it. A
    /// statement adds its rows per group at once, in key order: concurrent writers lock the rows they share in one order.
    static let rollupsMigration = Migration(version: 9, name: "rollups", statements: rollupsSchema(.undated))

    /// The rollups' tables, backfill and trigger functions, the delivery rollups keyed as `deliveries` (migration 9 built
    /// them ``DeliveryRollupKey/undated``; 13 re-keys the table and replaces the functions of `deliveries`).
    static func rollupsSchema(_ deliveries: DeliveryRollupKey) -> [String] {
        typealias R = RollupStatements
        let defaultLocale = "'\(CampaignCounts.defaultLocale)'"
        let deliveryKeys = (1...deliveries.count).map(String.init).joined(separator: ", "), eventKeys = "1, 2, 3, 4, 5, 6"
        /// Adds the deltas `source` answers (the delivery key columns, then `n`) to the delivery rollups.
        func addDeliveries(_ source: String) -> String {
            """
            INSERT INTO campaign_delivery_rollups (\(deliveries.columns), n)
            SELECT \(deliveries.columns), SUM(n) FROM (\(source)) AS c (\(deliveries.columns), n)
            GROUP BY \(deliveryKeys) HAVING SUM(n) <> 0 ORDER BY \(deliveryKeys)
            \(deliveries.conflict);
            """
        }
        /// Adds the deltas `source` answers (the event key columns, then `n`, `value`, `at`) to the event rollups.
        func addEvents(_ source: String) -> String {
            """
            INSERT INTO campaign_event_rollups (\(R.eventColumns), n, value, first_at, last_at)
            SELECT \(R.eventColumns), SUM(n), SUM(value), MIN(at), MAX(at) FROM (\(source)) AS c (\(R.eventColumns), n, value, at)
            GROUP BY \(eventKeys) HAVING SUM(n) <> 0 OR SUM(value) <> 0 ORDER BY \(eventKeys)
            \(R.eventConflict(.postgres));
            """
        }
        /// The attributed events of transition table `rows`, each `sign` times, keyed by the delivery each names now.
        func events(_ rows: String, sign: Int) -> String {
            """
            SELECT e.app_id, e.campaign_id, \(R.eventVariant("d")), \(R.eventLocale("d")), e.type, \(R.day("e.occurred_at", .postgres)),
                \(sign), \(sign) * COALESCE(e.value, 0), e.occurred_at
            FROM \(rows) e LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
            WHERE e.campaign_id IS NOT NULL AND e.type IN \(R.eventTypes)
            """
        }
        /// The events naming the deliveries of transition table `rows` (alias `o`), `sign` times, keyed by `variant` and `locale`.
        func eventsOf(_ rows: String, variant: String, locale: String, sign: Int, where condition: String = "TRUE", join: String = "") -> String {
            """
            SELECT e.app_id, e.campaign_id, \(variant), \(locale), e.type, \(R.day("e.occurred_at", .postgres)),
                \(sign), \(sign) * COALESCE(e.value, 0), e.occurred_at
            FROM \(rows) o \(join) JOIN events e ON e.app_id = o.app_id AND e.delivery_id = o.id
            WHERE e.campaign_id IS NOT NULL AND e.type IN \(R.eventTypes) AND \(condition)
            """
        }
        /// A delivery row's campaign key for `campaign_people`: app, campaign, person.
        func person(_ d: String) -> String {
            "\(d).app_id, \(d).campaign_id, \(SQLExpressions.person(user: "\(d).user_id", installation: "\(d).installation_id"))"
        }
        /// Adds the deltas `source` answers (app, campaign, person, n, held_n) to `campaign_people`.
        func addPeople(_ source: String) -> String {
            """
            INSERT INTO campaign_people (app_id, campaign_id, person, n, held_n)
            SELECT app_id, campaign_id, person, SUM(n), SUM(held_n) FROM (\(source)) AS c (app_id, campaign_id, person, n, held_n)
            GROUP BY 1, 2, 3 HAVING SUM(n) <> 0 OR SUM(held_n) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (app_id, campaign_id, person) DO UPDATE SET n = campaign_people.n + excluded.n,
                held_n = campaign_people.held_n + excluded.held_n;
            """
        }
        /// Adds the deltas `source` answers (app, campaign, held out, people) to `campaign_people_rollups`.
        func addPeopleCounts(_ source: String) -> String {
            """
            INSERT INTO campaign_people_rollups (app_id, campaign_id, held_out, people)
            SELECT app_id, campaign_id, held_out, SUM(people) FROM (\(source)) AS c (app_id, campaign_id, held_out, people)
            GROUP BY 1, 2, 3 HAVING SUM(people) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (app_id, campaign_id, held_out) DO UPDATE SET people = campaign_people_rollups.people + excluded.people;
            """
        }
        /// Recomputes the withdrawal rows of the installations `installations` answers (app, installation).
        func refreshWithdrawals(_ installations: String) -> String {
            let touched = "(SELECT DISTINCT * FROM (\(installations)) AS y (app_id, installation_id))"
            return """
                DELETE FROM campaign_withdrawals w USING \(touched) AS x WHERE w.app_id = x.app_id AND w.installation_id = x.installation_id;
                INSERT INTO campaign_withdrawals (app_id, campaign_id, installation_id, kind)
                \(R.recomputedWithdrawals(from: "deliveries d JOIN \(touched) AS x ON d.app_id = x.app_id AND d.installation_id = x.installation_id"))
                ON CONFLICT DO NOTHING;
                """
        }
        /// Adds the deltas `source` answers (the token key columns, then `n`) to `token_health_rollups`.
        func addTokens(_ source: String) -> String {
            """
            INSERT INTO token_health_rollups (\(R.tokenColumns), n)
            SELECT \(R.tokenColumns), SUM(n) FROM (\(source)) AS c (\(R.tokenColumns), n)
            GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
            \(R.tokenConflict);
            """
        }
        /// The tokens of transition table `rows`, `sign` times, keyed by their installation as it now is.
        func tokens(_ rows: String, sign: Int) -> String {
            """
            SELECT \(R.tokenKey("t")), \(sign) FROM \(rows) t
            LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
            """
        }
        /// The tokens of the installations of transition table `rows` (alias `x`), `sign` times, keyed by `version`.
        func tokensOf(_ rows: String, version: String, sign: Int) -> String {
            """
            SELECT t.app_id, t.platform, t.kind, t.status, COALESCE(t.status_reason, ''), \(version), \(sign)
            FROM \(rows) x JOIN tokens t ON t.app_id = x.app_id AND t.installation_id = x.installation_id
            """
        }
        func function(_ name: String, _ body: String) -> String {
            """
            CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $rollup$
            BEGIN
            \(body)
            RETURN NULL;
            END
            $rollup$
            """
        }
        let moved = "JOIN new_rows n ON n.app_id = o.app_id AND n.id = o.id"
        let movedCondition = "(o.variant IS DISTINCT FROM n.variant OR o.locale IS DISTINCT FROM n.locale)"
        return [
            """
            CREATE TABLE campaign_delivery_rollups (
                app_id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                variant bigint NOT NULL,
                locale text COLLATE "C" NOT NULL,
                state text COLLATE "C" NOT NULL,
                outcome text COLLATE "C" NOT NULL,
                reason text COLLATE "C" NOT NULL,
                attempted integer NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (\(DeliveryRollupKey.undated.columns))
            )
            """,
            """
            CREATE TABLE campaign_event_rollups (
                app_id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                variant bigint NOT NULL,
                locale text COLLATE "C" NOT NULL,
                type text COLLATE "C" NOT NULL,
                day bigint NOT NULL,
                n bigint NOT NULL,
                value double precision NOT NULL,
                first_at double precision NOT NULL,
                last_at double precision NOT NULL,
                PRIMARY KEY (\(R.eventColumns))
            )
            """,
            // A delivery that changes or goes takes its events' variant and locale along.
            "CREATE INDEX events_by_delivery ON events (app_id, delivery_id) WHERE delivery_id IS NOT NULL",
            """
            CREATE TABLE campaign_withdrawals (
                app_id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                installation_id text COLLATE "C" NOT NULL,
                kind text COLLATE "C" NOT NULL,
                PRIMARY KEY (app_id, installation_id, campaign_id, kind)
            )
            """,
            "CREATE INDEX campaign_withdrawals_by_campaign ON campaign_withdrawals (app_id, campaign_id, kind)",
            """
            CREATE TABLE campaign_people (
                app_id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                person text COLLATE "C" NOT NULL,
                n bigint NOT NULL,
                held_n bigint NOT NULL,
                PRIMARY KEY (app_id, campaign_id, person)
            )
            """,
            """
            CREATE TABLE token_health_rollups (
                app_id text COLLATE "C" NOT NULL,
                platform text COLLATE "C" NOT NULL,
                kind text COLLATE "C" NOT NULL,
                status text COLLATE "C" NOT NULL,
                status_reason text COLLATE "C" NOT NULL,
                app_version text COLLATE "C" NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (\(R.tokenColumns))
            )
            """,
            """
            CREATE TABLE campaign_people_rollups (
                app_id text COLLATE "C" NOT NULL,
                campaign_id text COLLATE "C" NOT NULL,
                held_out integer NOT NULL,
                people bigint NOT NULL,
                PRIMARY KEY (app_id, campaign_id, held_out)
            )
            """,
        ] + R.backfill(.postgres, deliveries: deliveries) + [R.backfillPeopleCounts] + [
            function("perch_rollup_deliveries_inserted", addDeliveries("SELECT \(deliveries.key("r", .postgres)), 1 FROM new_rows r") + "\n"
                     + addPeople("SELECT \(person("r")), 1, \(R.heldOut("r")) FROM new_rows r") + "\n"
                     + withdrawalsOfNewRows),
            function("perch_rollup_deliveries_updated", addDeliveries("""
                SELECT \(deliveries.key("o", .postgres)), -1 FROM old_rows o UNION ALL SELECT \(deliveries.key("r", .postgres)), 1 FROM new_rows r
                """) + "\n" + addPeople("""
                SELECT \(person("o")), -1, -\(R.heldOut("o")) FROM old_rows o UNION ALL SELECT \(person("r")), 1, \(R.heldOut("r")) FROM new_rows r
                """) + "\n" + refreshWithdrawals("""
                SELECT x.app_id, x.installation_id FROM old_rows o JOIN new_rows n ON n.app_id = o.app_id AND n.id = o.id,
                    LATERAL (VALUES (o.app_id, o.installation_id), (n.app_id, n.installation_id)) AS x (app_id, installation_id)
                WHERE o.state = 'accepted' AND (n.state <> 'accepted' OR n.accepted_at IS DISTINCT FROM o.accepted_at
                    OR n.installation_id <> o.installation_id OR n.campaign_id <> o.campaign_id)
                """) + "\n"
                + withdrawalsOfNewRows + "\n"
                + addEvents(
                    eventsOf("old_rows", variant: "COALESCE(o.variant, -1)", locale: "COALESCE(o.locale, \(defaultLocale))", sign: -1,
                             where: movedCondition, join: moved)
                    + " UNION ALL "
                    + eventsOf("old_rows", variant: "COALESCE(n.variant, -1)", locale: "COALESCE(n.locale, \(defaultLocale))", sign: 1,
                               where: movedCondition, join: moved))),
            function("perch_rollup_deliveries_deleted", addDeliveries("SELECT \(deliveries.key("o", .postgres)), -1 FROM old_rows o") + "\n"
                + addPeople("SELECT \(person("o")), -1, -\(R.heldOut("o")) FROM old_rows o") + "\n"
                + refreshWithdrawals("SELECT o.app_id, o.installation_id FROM old_rows o WHERE o.state = 'accepted'") + "\n" + addEvents(
                eventsOf("old_rows", variant: "COALESCE(o.variant, -1)", locale: "COALESCE(o.locale, \(defaultLocale))", sign: -1)
                + " UNION ALL " + eventsOf("old_rows", variant: "-1", locale: "''", sign: 1))),
            function("perch_rollup_events_inserted", addEvents(events("new_rows", sign: 1))),
            function("perch_rollup_events_updated", addEvents(events("old_rows", sign: -1) + " UNION ALL " + events("new_rows", sign: 1))),
            function("perch_rollup_events_deleted", addEvents(events("old_rows", sign: -1))),
            function("perch_withdrawals_events_inserted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM new_rows WHERE type = 'permission_revoked'")),
            function("perch_withdrawals_events_deleted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM old_rows WHERE type = 'permission_revoked'")),
            function("perch_withdrawals_consent_inserted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM new_rows WHERE status IN ('revoked', 'denied')")),
            function("perch_withdrawals_consent_deleted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM old_rows WHERE status IN ('revoked', 'denied')")),
            function("perch_withdrawals_registry_log_inserted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM new_rows WHERE kind = 'unregistered'")),
            function("perch_withdrawals_registry_log_deleted",
                     refreshWithdrawals("SELECT app_id, installation_id FROM old_rows WHERE kind = 'unregistered'")),
            function("perch_rollup_tokens_inserted", addTokens(tokens("new_rows", sign: 1))),
            function("perch_rollup_tokens_updated", addTokens(tokens("old_rows", sign: -1) + " UNION ALL " + tokens("new_rows", sign: 1))),
            function("perch_rollup_tokens_deleted", addTokens(tokens("old_rows", sign: -1))),
            function("perch_rollup_installations_inserted", addTokens(
                tokensOf("new_rows", version: "''", sign: -1) + " UNION ALL " + tokensOf("new_rows", version: "COALESCE(x.app_version, '')", sign: 1))),
            function("perch_rollup_installations_updated", addTokens("""
                SELECT t.app_id, t.platform, t.kind, t.status, COALESCE(t.status_reason, ''), v.app_version, v.sign
                FROM old_rows o JOIN new_rows x ON x.app_id = o.app_id AND x.installation_id = o.installation_id
                JOIN tokens t ON t.app_id = o.app_id AND t.installation_id = o.installation_id,
                LATERAL (VALUES (COALESCE(o.app_version, ''), -1), (COALESCE(x.app_version, ''), 1)) AS v (app_version, sign)
                WHERE o.app_version IS DISTINCT FROM x.app_version
                """)),
            function("perch_rollup_installations_deleted", addTokens(
                tokensOf("old_rows", version: "COALESCE(x.app_version, '')", sign: -1) + " UNION ALL " + tokensOf("old_rows", version: "''", sign: 1))),
            function("perch_rollup_people_inserted", addPeopleCounts("SELECT app_id, campaign_id, \(R.side("r")), 1 FROM new_rows r WHERE r.n > 0")),
            function("perch_rollup_people_updated", addPeopleCounts("""
                SELECT app_id, campaign_id, \(R.side("o")), -1 FROM old_rows o WHERE o.n > 0
                UNION ALL SELECT app_id, campaign_id, \(R.side("r")), 1 FROM new_rows r WHERE r.n > 0
                """)),
            function("perch_rollup_people_deleted", addPeopleCounts("SELECT app_id, campaign_id, \(R.side("o")), -1 FROM old_rows o WHERE o.n > 0")),
        ] + [("events", "events"), ("consent_history", "consent"), ("registry_log", "registry_log")].flatMap { table, name in
            [
                """
                CREATE TRIGGER \(table)_withdrawals_insert AFTER INSERT ON \(table) REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION perch_withdrawals_\(name)_inserted()
                """,
                """
                CREATE TRIGGER \(table)_withdrawals_delete AFTER DELETE ON \(table) REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION perch_withdrawals_\(name)_deleted()
                """,
            ]
        } + [("deliveries", "deliveries_rollup", "deliveries"), ("events", "events_rollup", "events"), ("tokens", "tokens_rollup", "tokens"),
               ("installations", "installations_rollup", "installations"), ("campaign_people", "campaign_people", "people")].flatMap { table, trigger, rollup in
            // Each statement's changed rows, as transition tables, to the function that adds them to the rollups.
            [
                """
                CREATE TRIGGER \(trigger)_insert AFTER INSERT ON \(table) REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION perch_rollup_\(rollup)_inserted()
                """,
                """
                CREATE TRIGGER \(trigger)_update AFTER UPDATE ON \(table) REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION perch_rollup_\(rollup)_updated()
                """,
                """
                CREATE TRIGGER \(trigger)_delete AFTER DELETE ON \(table) REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION perch_rollup_\(rollup)_deleted()
                """,
            ]
        }
    }
}

/// `perch analytics verify`: the shared recomputation of `PerchSQL`.
extension PostgresStore: RollupStore {}
