import GRDB
import PerchSQL

extension SQLiteStore {
    /// The token-health rollups (``RollupStatements``, "health"), filled from the facts already stored and kept by
    /// triggers in the same transaction as every write to `tokens`, `installations` and `events`.
    static func registerHealthRollupsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("health-rollups") { db in
            for statement in healthRollupsSchema { try db.execute(sql: statement) }
        }
    }

    static var healthRollupsSchema: [String] {
        typealias R = RollupStatements
        let tables = [
            """
            CREATE TABLE user_token_groups (
                app_id TEXT NOT NULL, user_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, kind TEXT NOT NULL,
                activity_type TEXT NOT NULL, activity_id TEXT NOT NULL, n INTEGER NOT NULL,
                PRIMARY KEY (app_id, user_id, platform, app_version, kind, activity_type, activity_id)
            ) WITHOUT ROWID
            """,
            "CREATE INDEX user_token_groups_empty ON user_token_groups(app_id) WHERE n = 0",
            """
            CREATE TABLE user_health_rollups (
                app_id TEXT NOT NULL, mask INTEGER NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, kind TEXT NOT NULL,
                users INTEGER NOT NULL, tokens INTEGER NOT NULL, duplicated INTEGER NOT NULL, shard INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (app_id, mask, platform, app_version, kind, shard)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE token_day_rollups (
                app_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, day INTEGER NOT NULL,
                registered INTEGER NOT NULL, retired INTEGER NOT NULL, shard INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (app_id, platform, app_version, day, shard)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE token_survival_rollups (
                app_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, day INTEGER NOT NULL, lifetime INTEGER NOT NULL,
                n INTEGER NOT NULL, shard INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (app_id, day, platform, app_version, lifetime, shard)
            ) WITHOUT ROWID
            """,
            // A survival checkpoint's cut through a registration day is counted from the tokens of that day (from the index alone).
            "CREATE INDEX tokens_by_created ON tokens(app_id, created_at, platform, status, status_at)",
            """
            CREATE TABLE installation_opt_in (
                app_id TEXT NOT NULL, installation_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL,
                prompted INTEGER NOT NULL, granted INTEGER NOT NULL,
                PRIMARY KEY (app_id, installation_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE opt_in_rollups (
                app_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, prompted INTEGER NOT NULL, granted INTEGER NOT NULL,
                shard INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (app_id, platform, app_version, shard)
            ) WITHOUT ROWID
            """,
            """
            CREATE TABLE installation_prompts (
                app_id TEXT NOT NULL, installation_id TEXT NOT NULL, strategy TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL,
                first_at REAL NOT NULL, granted INTEGER NOT NULL,
                PRIMARY KEY (app_id, installation_id, strategy)
            ) WITHOUT ROWID
            """,
            // A period's cut through a day is counted from the prompts of that day.
            "CREATE INDEX installation_prompts_by_time ON installation_prompts(app_id, first_at)",
            """
            CREATE TABLE opt_in_daily_rollups (
                app_id TEXT NOT NULL, platform TEXT NOT NULL, app_version TEXT NOT NULL, strategy TEXT NOT NULL, day INTEGER NOT NULL,
                prompted INTEGER NOT NULL, granted INTEGER NOT NULL, shard INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (app_id, day, platform, app_version, strategy, shard)
            ) WITHOUT ROWID
            """,
        ]
        func statements(_ list: [String]) -> String { list.map { $0 + ";" }.joined(separator: "\n") }
        let rollups = [R.userGroups, R.tokenDays(.sqlite), R.tokenSurvival(.sqlite)]
        var triggers: [String] = []
        func usersOfToken(_ t: String) -> String {
            "SELECT i.app_id AS app_id, i.user_id AS user_id FROM installations i WHERE i.app_id = \(t).app_id AND i.installation_id = \(t).installation_id AND i.user_id IS NOT NULL"
        }
        func userOf(_ x: String) -> String { "SELECT \(x).app_id AS app_id, \(x).user_id AS user_id WHERE \(x).user_id IS NOT NULL" }
        let tokensOf = { (x: String) in "t.app_id = \(x).app_id AND t.installation_id = \(x).installation_id" }
        // Named, or the planner may walk every live token of the app by status instead.
        let tokensByInstallation = "tokens t INDEXED BY tokens_by_installation"
        for rollup in rollups {
            let table = rollup.table
            /// The trigger's body: the rollup's write, and for the user groups, their users' figures around it.
            func body(_ source: String, users: String) -> String {
                let write = rollup.add(source)
                return table == R.userGroups.table ? statements(R.changingUserGroups(users: users, [write])) : write + ";"
            }
            // The user groups see only tokens of installations with a user, and installations with one.
            let isUsers = table == R.userGroups.table
            func has(_ x: String) -> String { isUsers ? "WHEN \(x).user_id IS NOT NULL" : "" }
            triggers += [
                "CREATE TRIGGER tokens_\(table)_insert AFTER INSERT ON tokens \(isUsers ? "WHEN EXISTS (\(usersOfToken("NEW")))" : "") BEGIN \(body(rollup.ofToken("NEW", sign: 1), users: usersOfToken("NEW"))) END",
                """
                CREATE TRIGGER tokens_\(table)_update AFTER UPDATE ON tokens
                WHEN (\(rollup.tokenChanged("OLD", "NEW", .sqlite)))\(isUsers ? " AND (EXISTS (\(usersOfToken("OLD"))) OR EXISTS (\(usersOfToken("NEW"))))" : "") BEGIN
                    \(body(rollup.ofToken("OLD", sign: -1) + " UNION ALL " + rollup.ofToken("NEW", sign: 1),
                           users: usersOfToken("OLD") + " UNION " + usersOfToken("NEW")))
                END
                """,
                "CREATE TRIGGER tokens_\(table)_delete AFTER DELETE ON tokens \(isUsers ? "WHEN EXISTS (\(usersOfToken("OLD")))" : "") BEGIN \(body(rollup.ofToken("OLD", sign: -1), users: usersOfToken("OLD"))) END",
                """
                CREATE TRIGGER installations_\(table)_insert AFTER INSERT ON installations \(has("NEW")) BEGIN
                    \(body(rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("NEW"), as: nil, sign: -1) + " UNION ALL "
                           + rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("NEW"), as: "NEW", sign: 1), users: userOf("NEW")))
                END
                """,
                """
                CREATE TRIGGER installations_\(table)_update AFTER UPDATE ON installations
                WHEN (\(rollup.installationChanged("OLD", "NEW", .sqlite)))\(isUsers ? " AND (OLD.user_id IS NOT NULL OR NEW.user_id IS NOT NULL)" : "") BEGIN
                    \(body(rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("OLD"), as: "OLD", sign: -1) + " UNION ALL "
                           + rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("NEW"), as: "NEW", sign: 1),
                           users: userOf("OLD") + " UNION " + userOf("NEW")))
                END
                """,
                """
                CREATE TRIGGER installations_\(table)_delete AFTER DELETE ON installations \(has("OLD")) BEGIN
                    \(body(rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("OLD"), as: "OLD", sign: -1) + " UNION ALL "
                           + rollup.ofInstallation(from: tokensByInstallation, where: tokensOf("OLD"), as: nil, sign: 1), users: userOf("OLD")))
                END
                """,
            ]
        }
        let promptTypes = "('prompt_shown', 'permission_granted')"
        func refresh(_ row: String) -> String {
            statements(R.refreshOptIn(matching: { "\($0).app_id = \(row).app_id AND \($0).installation_id = \(row).installation_id" }, .sqlite))
        }
        func optIn(_ row: String) -> String {
            "(SELECT \(row).app_id AS app_id, \(row).platform AS platform, \(row).app_version AS app_version, \(row).prompted AS prompted, \(row).granted AS granted)"
        }
        func prompt(_ row: String) -> String {
            "(SELECT \(row).app_id AS app_id, \(row).platform AS platform, \(row).app_version AS app_version, \(row).strategy AS strategy, \(row).first_at AS first_at, \(row).granted AS granted)"
        }
        triggers += [
            "CREATE TRIGGER events_opt_in_insert AFTER INSERT ON events WHEN NEW.type IN \(promptTypes) BEGIN \(refresh("NEW")) END",
            "CREATE TRIGGER events_opt_in_delete AFTER DELETE ON events WHEN OLD.type IN \(promptTypes) BEGIN \(refresh("OLD")) END",
            """
            CREATE TRIGGER events_opt_in_update AFTER UPDATE OF app_id, installation_id, type, occurred_at, properties ON events
            WHEN OLD.type IN \(promptTypes) OR NEW.type IN \(promptTypes) BEGIN \(refresh("OLD")) \(refresh("NEW")) END
            """,
            """
            CREATE TRIGGER installations_opt_in_insert AFTER INSERT ON installations
            WHEN EXISTS (SELECT 1 FROM events e WHERE e.app_id = NEW.app_id AND e.installation_id = NEW.installation_id AND e.type IN \(promptTypes))
            BEGIN \(refresh("NEW")) END
            """,
            """
            CREATE TRIGGER installations_opt_in_update AFTER UPDATE OF platform, app_version ON installations
            WHEN OLD.platform IS NOT NEW.platform OR OLD.app_version IS NOT NEW.app_version BEGIN \(refresh("NEW")) END
            """,
            "CREATE TRIGGER installations_opt_in_delete AFTER DELETE ON installations BEGIN \(refresh("OLD")) END",
            "CREATE TRIGGER installation_opt_in_insert AFTER INSERT ON installation_opt_in BEGIN \(R.countOptIn(optIn("NEW"), sign: 1)); END",
            "CREATE TRIGGER installation_opt_in_delete AFTER DELETE ON installation_opt_in BEGIN \(R.countOptIn(optIn("OLD"), sign: -1)); END",
            "CREATE TRIGGER installation_prompts_insert AFTER INSERT ON installation_prompts BEGIN \(R.countPrompts(prompt("NEW"), sign: 1, .sqlite)); END",
            "CREATE TRIGGER installation_prompts_delete AFTER DELETE ON installation_prompts BEGIN \(R.countPrompts(prompt("OLD"), sign: -1, .sqlite)); END",
        ]
        return tables + R.healthBackfill(.sqlite) + R.healthBackfillCounts(.sqlite) + triggers
    }
}
