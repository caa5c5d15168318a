import PerchSQL

extension PostgresStore {
    /// The token-health rollups (``RollupStatements``, "health"), filled from the facts already stored and kept by
    /// statement-level triggers in the same transaction as every write to `tokens`, `installations` and `events`.
    static let healthRollupsMigration = Migration(version: 10, name: "health-rollups", statements: healthRollupsSchema)

    static var healthRollupsSchema: [String] {
        typealias R = RollupStatements
        let text = "text COLLATE \"C\" NOT NULL"
        // The writing connection's shard (RollupStatements, "health"): concurrent writers of one group use different rows.
        let shard = "shard integer NOT NULL DEFAULT (pg_backend_pid() % 16)"
        let tables = [
            """
            CREATE TABLE user_token_groups (
                app_id \(text), user_id \(text), platform \(text), app_version \(text), kind \(text), activity_type \(text),
                activity_id \(text), n bigint NOT NULL,
                PRIMARY KEY (app_id, user_id, platform, app_version, kind, activity_type, activity_id)
            )
            """,
            "CREATE INDEX user_token_groups_empty ON user_token_groups (app_id) WHERE n = 0",
            """
            CREATE TABLE user_health_rollups (
                app_id \(text), mask integer NOT NULL, platform \(text), app_version \(text), kind \(text),
                users bigint NOT NULL, tokens bigint NOT NULL, duplicated bigint NOT NULL, \(shard),
                PRIMARY KEY (app_id, mask, platform, app_version, kind, shard)
            )
            """,
            """
            CREATE TABLE token_day_rollups (
                app_id \(text), platform \(text), app_version \(text), day bigint NOT NULL, registered bigint NOT NULL, retired bigint NOT NULL,
                \(shard), PRIMARY KEY (app_id, platform, app_version, day, shard)
            )
            """,
            """
            CREATE TABLE token_survival_rollups (
                app_id \(text), platform \(text), app_version \(text), day bigint NOT NULL, lifetime bigint NOT NULL, n bigint NOT NULL,
                \(shard), PRIMARY KEY (app_id, day, platform, app_version, lifetime, shard)
            )
            """,
            // A survival checkpoint's cut through a registration day is counted from the tokens of that day (from the index alone).
            "CREATE INDEX tokens_by_created ON tokens (app_id, created_at, platform, status, status_at)",
            """
            CREATE TABLE installation_opt_in (
                app_id \(text), installation_id \(text), platform \(text), app_version \(text), prompted integer NOT NULL, granted integer NOT NULL,
                PRIMARY KEY (app_id, installation_id)
            )
            """,
            """
            CREATE TABLE opt_in_rollups (
                app_id \(text), platform \(text), app_version \(text), prompted bigint NOT NULL, granted bigint NOT NULL,
                \(shard), PRIMARY KEY (app_id, platform, app_version, shard)
            )
            """,
            """
            CREATE TABLE installation_prompts (
                app_id \(text), installation_id \(text), strategy \(text), platform \(text), app_version \(text),
                first_at double precision NOT NULL, granted integer NOT NULL,
                PRIMARY KEY (app_id, installation_id, strategy)
            )
            """,
            // A period's cut through a day is counted from the prompts of that day.
            "CREATE INDEX installation_prompts_by_time ON installation_prompts (app_id, first_at)",
            """
            CREATE TABLE opt_in_daily_rollups (
                app_id \(text), platform \(text), app_version \(text), strategy \(text), day bigint NOT NULL,
                prompted bigint NOT NULL, granted bigint NOT NULL, \(shard),
                PRIMARY KEY (app_id, day, platform, app_version, strategy, shard)
            )
            """,
        ]
        var functions: [String] = []
        var triggers: [String] = []
        let tokensOf = { (rows: String, x: String) in "\(rows) \(x) JOIN tokens t ON t.app_id = \(x).app_id AND t.installation_id = \(x).installation_id" }
        /// The users of the installations `installations` answers (app_id, installation_id).
        func usersOf(_ installations: String) -> String {
            """
            SELECT DISTINCT i.app_id, i.user_id FROM (\(installations)) AS t
            JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id WHERE i.user_id IS NOT NULL
            """
        }
        for rollup in [R.userGroups, R.tokenDays(.postgres), R.tokenSurvival(.postgres)] {
            let name = "perch_\(rollup.table)"
            let changed = rollup.installationChanged("o", "x", .postgres)
            let moved = "old_rows o JOIN new_rows x ON x.app_id = o.app_id AND x.installation_id = o.installation_id JOIN tokens t ON t.app_id = o.app_id AND t.installation_id = o.installation_id"
            /// The function's body: the rollup's write, and for the user groups, their users' figures around it.
            func body(_ source: String, users: String) -> [String] {
                let write = rollup.add(source)
                return rollup.table == R.userGroups.table ? R.changingUserGroups(users: users, [write]) : [write]
            }
            // Every user of the tokens the statement touched (pairing old and new rows would be a join of two
            // transition tables, which the planner may walk row by row).
            let updatedTokens = "SELECT app_id, installation_id FROM old_rows UNION SELECT app_id, installation_id FROM new_rows"
            functions += [
                TriggerSQL.function("\(name)_tokens_inserted", body(rollup.ofTokens(in: "new_rows", sign: 1),
                                                          users: usersOf("SELECT app_id, installation_id FROM new_rows"))),
                TriggerSQL.function("\(name)_tokens_updated", body(rollup.ofTokens(in: "old_rows", sign: -1) + " UNION ALL " + rollup.ofTokens(in: "new_rows", sign: 1),
                                                         users: usersOf(updatedTokens))),
                TriggerSQL.function("\(name)_tokens_deleted", body(rollup.ofTokens(in: "old_rows", sign: -1),
                                                         users: usersOf("SELECT app_id, installation_id FROM old_rows"))),
                TriggerSQL.function("\(name)_installations_inserted", body(
                    rollup.ofInstallation(from: tokensOf("new_rows", "x"), where: "1 = 1", as: nil, sign: -1) + " UNION ALL "
                    + rollup.ofInstallation(from: tokensOf("new_rows", "x"), where: "1 = 1", as: "x", sign: 1),
                    users: "SELECT DISTINCT app_id, user_id FROM new_rows WHERE user_id IS NOT NULL")),
                TriggerSQL.function("\(name)_installations_updated", body(
                    rollup.ofInstallation(from: moved, where: changed, as: "o", sign: -1) + " UNION ALL "
                    + rollup.ofInstallation(from: moved, where: changed, as: "x", sign: 1),
                    users: """
                        SELECT DISTINCT v.app_id, v.user_id FROM old_rows o JOIN new_rows x ON x.app_id = o.app_id AND x.installation_id = o.installation_id,
                            LATERAL (VALUES (o.app_id, o.user_id), (x.app_id, x.user_id)) AS v (app_id, user_id)
                        WHERE v.user_id IS NOT NULL AND (\(changed))
                        """)),
                TriggerSQL.function("\(name)_installations_deleted", body(
                    rollup.ofInstallation(from: tokensOf("old_rows", "o"), where: "1 = 1", as: "o", sign: -1) + " UNION ALL "
                    + rollup.ofInstallation(from: tokensOf("old_rows", "o"), where: "1 = 1", as: nil, sign: 1),
                    users: "SELECT DISTINCT app_id, user_id FROM old_rows WHERE user_id IS NOT NULL")),
            ]
            for (table, event, change) in [("tokens", "INSERT", "inserted"), ("tokens", "UPDATE", "updated"), ("tokens", "DELETE", "deleted"),
                                           ("installations", "INSERT", "inserted"), ("installations", "UPDATE", "updated"),
                                           ("installations", "DELETE", "deleted")] {
                triggers.append(TriggerSQL.trigger("\(table)_\(rollup.table)_\(change)", event, on: table, "\(name)_\(table)_\(change)"))
            }
        }
        let promptTypes = "('prompt_shown', 'permission_granted')"
        func refresh(_ installations: String) -> [String] {
            R.refreshOptIn(matching: { "(\($0).app_id, \($0).installation_id) IN (\(installations))" }, .postgres)
        }
        functions += [
            TriggerSQL.function("perch_opt_in_events_inserted", refresh("SELECT app_id, installation_id FROM new_rows WHERE type IN \(promptTypes)")),
            TriggerSQL.function("perch_opt_in_events_updated", refresh("""
                SELECT app_id, installation_id FROM old_rows WHERE type IN \(promptTypes)
                UNION SELECT app_id, installation_id FROM new_rows WHERE type IN \(promptTypes)
                """)),
            TriggerSQL.function("perch_opt_in_events_deleted", refresh("SELECT app_id, installation_id FROM old_rows WHERE type IN \(promptTypes)")),
            TriggerSQL.function("perch_opt_in_installations_inserted", refresh("SELECT app_id, installation_id FROM new_rows")),
            TriggerSQL.function("perch_opt_in_installations_updated", refresh("""
                SELECT x.app_id, x.installation_id FROM old_rows o JOIN new_rows x ON x.app_id = o.app_id AND x.installation_id = o.installation_id
                WHERE o.platform IS DISTINCT FROM x.platform OR o.app_version IS DISTINCT FROM x.app_version
                """)),
            TriggerSQL.function("perch_opt_in_installations_deleted", refresh("SELECT app_id, installation_id FROM old_rows")),
            TriggerSQL.function("perch_installation_opt_in_inserted", [R.countOptIn("new_rows", sign: 1)]),
            TriggerSQL.function("perch_installation_opt_in_deleted", [R.countOptIn("old_rows", sign: -1)]),
            TriggerSQL.function("perch_installation_prompts_inserted", [R.countPrompts("new_rows", sign: 1, .postgres)]),
            TriggerSQL.function("perch_installation_prompts_deleted", [R.countPrompts("old_rows", sign: -1, .postgres)]),
        ]
        for (table, name) in [("events", "perch_opt_in_events"), ("installations", "perch_opt_in_installations")] {
            for (event, change) in [("INSERT", "inserted"), ("UPDATE", "updated"), ("DELETE", "deleted")] {
                triggers.append(TriggerSQL.trigger("\(table)_opt_in_\(change)", event, on: table, "\(name)_\(change)"))
            }
        }
        for table in ["installation_opt_in", "installation_prompts"] {
            triggers.append(TriggerSQL.trigger("\(table)_inserted", "INSERT", on: table, "perch_\(table)_inserted"))
            triggers.append(TriggerSQL.trigger("\(table)_deleted", "DELETE", on: table, "perch_\(table)_deleted"))
        }
        return tables + R.healthBackfill(.postgres) + R.healthBackfillCounts(.postgres) + functions + triggers
    }
}
