import Foundation
import PerchCore
import PerchStore

/// The token-health overview's rollups (docs/metrics.md, "Rollups"), written once for the triggers of both backends.
///
/// - `user_token_groups`: a known user's live tokens per platform × app version × kind × activity — what the per-user
///   figures count. A row that reaches 0 is deleted, so no user id stays behind its tokens.
/// The counts every registration or prompt adds to (all but `user_token_groups` and the per-installation rows) are
/// spread over a `shard` column — on PostgreSQL the writing connection's, so concurrent registrations do not queue
/// on one row lock each until they commit; on SQLite always 0 — and summed on read.
///
/// - `user_health_rollups`: per app and each of the 8 ways to leave platform, app version and kind unfiltered
///   (`mask` bits 1, 2, 4; an unfiltered column holds `''`), the users with a live token, their live tokens, and the
///   users holding more than one on the same platform, of the same kind and activity. Kept from the changes of
///   `user_token_groups`: each change subtracts its users' figures before it writes their groups and adds them after.
/// - `token_day_rollups`: tokens registered and tokens retired (left `active`/`stale`, by their status time) per
///   platform × app version × UTC day — the growth series.
/// - `token_survival_rollups`: tokens per platform × app version × registration day × lifetime, the whole days a
///   token outlived (``survivalHorizon`` when live or longer) — the survival cohorts.
/// - `installation_opt_in` / `opt_in_rollups`: per installation whether it ever reported `prompt_shown` and
///   `permission_granted`, and their counts per platform × app version — token health's `optIn`.
/// - `installation_prompts` / `opt_in_daily_rollups`: per installation and prompt strategy its first `prompt_shown`
///   and whether a `permission_granted` followed, and their counts per platform × app version × strategy × UTC day
///   of that first prompt — the opt-in breakdown.
extension RollupStatements {
    /// In the order a rebuild empties them: each table before the counts its triggers keep from it.
    public static let healthTables = ["user_token_groups", "user_health_rollups", "token_day_rollups", "token_survival_rollups",
                                      "installation_opt_in", "opt_in_rollups", "installation_prompts", "opt_in_daily_rollups"]

    /// Fills the rows the health rollups keep from the facts; the triggers of those rows fill the counts kept from them.
    public static func healthBackfill(_ dialect: SQLDialect) -> [String] {
        [userGroups.backfill,
         "INSERT INTO user_health_rollups (app_id, mask, platform, app_version, kind, users, tokens, duplicated) \(recomputedUserHealth)",
         tokenDays(dialect).backfill, tokenSurvival(dialect).backfill,
         "INSERT INTO installation_opt_in (\(optInColumns)) \(optInRows(matching: { _ in "1 = 1" }))",
         "INSERT INTO installation_prompts (\(promptColumns)) \(promptRows(matching: { _ in "1 = 1" }, dialect))"]
    }

    /// The counts kept from those rows, for the migration (which creates the triggers after filling the tables).
    public static func healthBackfillCounts(_ dialect: SQLDialect) -> [String] {
        ["INSERT INTO opt_in_rollups (app_id, platform, app_version, prompted, granted) \(recomputedOptIn)",
         "INSERT INTO opt_in_daily_rollups (app_id, platform, app_version, strategy, day, prompted, granted) \(recomputedPrompts(dialect))"]
    }

    // MARK: Per-user figures.

    public static let userGroups = TokenRollup(
        table: "user_token_groups",
        keyColumns: ["app_id", "user_id", "platform", "app_version", "kind", "activity_type", "activity_id"], valueColumns: ["n"],
        parts: [.init(key: { t, i in
                          ["\(t).app_id", "\(i).user_id", "\(t).platform", "COALESCE(\(i).app_version, '')", "\(t).kind",
                           "COALESCE(\(t).activity_type, '')", "COALESCE(\(t).activity_id, '')"]
                      }, values: { _ in ["1"] },
                      condition: { t, i in "\(i).user_id IS NOT NULL AND \(t).status IN \(TokenRollup.live)" })],
        tokenChanged: { old, new, dialect in
            let distinct = TokenRollup.distinct(dialect)
            return ["app_id", "platform", "kind", "activity_type", "activity_id", "installation_id"].map { "\(old).\($0) \(distinct) \(new).\($0)" }
                .joined(separator: " OR ") + " OR (\(old).status IN \(TokenRollup.live)) \(distinct) (\(new).status IN \(TokenRollup.live))"
        },
        installationColumns: ["user_id", "app_version"])

    /// Deletes the groups that reached 0 (a partial index finds them).
    public static let dropEmptyUserGroups = "DELETE FROM user_token_groups WHERE n = 0"

    /// Per app, mask and key, the users with a live token, their live tokens and the users with a duplicate, counted
    /// from `user_token_groups` — of the users `users` answers (app_id, user_id; each once), or of every user.
    static func userHealthFigures(users: String?) -> String {
        let masks = (0..<8).map { "SELECT \($0) AS mask" }.joined(separator: " UNION ALL ")
        let platform = "CASE WHEN (m.mask & 1) = 0 THEN c.platform ELSE '' END"
        let version = "CASE WHEN (m.mask & 2) = 0 THEN c.app_version ELSE '' END"
        let kind = "CASE WHEN (m.mask & 4) = 0 THEN c.kind ELSE '' END"
        // Driven from the users named, so a trigger reads only their groups.
        let groups = users.map { "(\($0)) AS u JOIN user_token_groups c ON c.app_id = u.app_id AND c.user_id = u.user_id" } ?? "user_token_groups c"
        return """
            SELECT app_id, mask, kp, kv, kk, COUNT(*) AS users, CAST(SUM(tokens) AS BIGINT) AS tokens, CAST(SUM(duplicated) AS BIGINT) AS duplicated FROM (
                SELECT app_id, user_id, mask, kp, kv, kk, SUM(s) AS tokens, MAX(CASE WHEN s > 1 THEN 1 ELSE 0 END) AS duplicated FROM (
                    SELECT c.app_id AS app_id, c.user_id AS user_id, m.mask AS mask, \(platform) AS kp, \(version) AS kv, \(kind) AS kk, SUM(c.n) AS s
                    FROM \(groups) CROSS JOIN (\(masks)) AS m
                    GROUP BY c.app_id, c.user_id, m.mask, \(platform), \(version), \(kind), c.platform, c.kind, c.activity_type, c.activity_id
                    HAVING SUM(c.n) > 0
                ) AS cells GROUP BY app_id, user_id, mask, kp, kv, kk
            ) AS people GROUP BY app_id, mask, kp, kv, kk
            """
    }

    /// Every `user_health_rollups` row, recomputed from `user_token_groups`.
    public static let recomputedUserHealth = userHealthFigures(users: nil)

    /// Adds (`sign` 1) or subtracts (-1) the figures of the users `users` answers (app_id, user_id) as
    /// `user_token_groups` now holds them: a change subtracts its users before it writes their groups and adds them after.
    public static func countUserHealth(users: String, sign: Int) -> String {
        """
        INSERT INTO user_health_rollups (app_id, mask, platform, app_version, kind, users, tokens, duplicated)
        SELECT app_id, mask, kp, kv, kk, \(sign) * users, \(sign) * tokens, \(sign) * duplicated FROM (\(userHealthFigures(users: users))) AS f
        ORDER BY app_id, mask, kp, kv, kk
        ON CONFLICT (app_id, mask, platform, app_version, kind, shard) DO UPDATE SET users = user_health_rollups.users + excluded.users,
            tokens = user_health_rollups.tokens + excluded.tokens, duplicated = user_health_rollups.duplicated + excluded.duplicated
        """
    }

    /// A change to the user groups: `users` (app_id, user_id) subtracted, the groups written (`writes`), `users` added.
    public static func changingUserGroups(users: String, _ writes: [String]) -> [String] {
        [countUserHealth(users: users, sign: -1)] + writes + [dropEmptyUserGroups, countUserHealth(users: users, sign: 1)]
    }

    /// The mask of a filter: a bit for each of platform (1), app version (2) and kind (4) it leaves open.
    public static func userHealthMask(_ filter: TokenHealthFilterValues) -> Int {
        (filter.platform == nil ? 1 : 0) | (filter.appVersion == nil ? 2 : 0) | (filter.kind == nil ? 4 : 0)
    }

    /// An app's per-user figures under `filter`: users, tokens, duplicated (none: no row).
    public static func userHealth(appId: String, filter: TokenHealthFilterValues) -> SQLStatement {
        SQLStatement("""
            SELECT CAST(COALESCE(SUM(users), 0) AS BIGINT), CAST(COALESCE(SUM(tokens), 0) AS BIGINT), CAST(COALESCE(SUM(duplicated), 0) AS BIGINT)
            FROM user_health_rollups WHERE app_id = ? AND mask = ? AND platform = ? AND app_version = ? AND kind = ?
            """, [.text(appId), .integer(userHealthMask(filter)), .text(filter.platform ?? ""), .text(filter.appVersion ?? ""),
                  .text(filter.kind ?? "")])
    }

    // MARK: Growth and survival.

    public static func tokenDays(_ dialect: SQLDialect) -> TokenRollup {
        TokenRollup(
        table: "token_day_rollups", keyColumns: ["app_id", "platform", "app_version", "day"], valueColumns: ["registered", "retired"],
        parts: [
            .init(key: { t, i in ["\(t).app_id", "\(t).platform", "COALESCE(\(i).app_version, '')", day("\(t).created_at", dialect)] },
                  values: { _ in ["1", "0"] }, condition: { _, _ in "1 = 1" }),
            .init(key: { t, i in
                      ["\(t).app_id", "\(t).platform", "COALESCE(\(i).app_version, '')", day("COALESCE(\(t).status_at, \(t).created_at)", dialect)]
                  }, values: { _ in ["0", "1"] }, condition: { t, _ in "\(t).status NOT IN \(TokenRollup.live)" }),
        ],
        tokenChanged: survivalChanged, installationColumns: ["app_version"], sharded: true)
    }

    /// The whole days past which survival is not told apart: the last checkpoint (90 days) and one.
    public static let survivalHorizon = 91

    public static func tokenSurvival(_ dialect: SQLDialect) -> TokenRollup {
        TokenRollup(
        table: "token_survival_rollups", keyColumns: ["app_id", "platform", "app_version", "day", "lifetime"], valueColumns: ["n"],
        parts: [.init(key: { t, i in
                          ["\(t).app_id", "\(t).platform", "COALESCE(\(i).app_version, '')", day("\(t).created_at", dialect), lifetime(t, dialect)]
                      }, values: { _ in ["1"] }, condition: { _, _ in "1 = 1" })],
        tokenChanged: survivalChanged, installationColumns: ["app_version"], sharded: true)
    }

    /// What growth and survival see of a token: its platform, installation, registration, liveness and, retired, its status time.
    static let survivalChanged: @Sendable (String, String, SQLDialect) -> String = { old, new, dialect in
        let distinct = TokenRollup.distinct(dialect)
        return ["app_id", "platform", "installation_id", "created_at"].map { "\(old).\($0) \(distinct) \(new).\($0)" }.joined(separator: " OR ")
            + " OR (\(old).status IN \(TokenRollup.live)) \(distinct) (\(new).status IN \(TokenRollup.live))"
            + " OR (\(new).status NOT IN \(TokenRollup.live) AND \(old).status_at \(distinct) \(new).status_at)"
    }

    /// How many whole days token `t` outlived its registration: `L` such that it was live `N` days after registering
    /// exactly when `L ≥ N` — for a retired token, `ceil((status_at − created_at) / 86400) − 1`, between −1 and
    /// ``survivalHorizon``; a live token ``survivalHorizon``.
    static func lifetime(_ t: String, _ dialect: SQLDialect) -> String {
        let age = "(COALESCE(\(t).status_at, \(t).created_at) - \(t).created_at)"
        let whole = dialect == .postgres ? "CAST(floor(\(age) / 86400) AS bigint)" : "CAST(\(age) / 86400 AS INTEGER)"
        return """
            CASE WHEN \(t).status IN \(TokenRollup.live) OR \(age) > \(survivalHorizon) * 86400 THEN \(survivalHorizon)
                WHEN \(age) <= 0 THEN -1
                WHEN \(age) = 86400 * \(whole) THEN \(whole) - 1 ELSE \(whole) END
            """
    }

    // MARK: Opt-in.

    /// The prompt event's `strategy` property, `unknown` without one.
    public static func strategy(_ e: String, _ dialect: SQLDialect) -> String {
        dialect == .postgres ? "COALESCE(\(e).properties->>'strategy', 'unknown')" : "COALESCE(json_extract(\(e).properties, '$.strategy'), 'unknown')"
    }

    /// Whether installation `i` reported an event of `type` (at or after `after`).
    static func has(_ type: String, _ i: String, after: String? = nil) -> String {
        "EXISTS (SELECT 1 FROM events e WHERE e.app_id = \(i).app_id AND e.installation_id = \(i).installation_id AND e.type = '\(type)'"
            + (after.map { " AND e.occurred_at >= \($0)" } ?? "") + ")"
    }

    static let optInColumns = "app_id, installation_id, platform, app_version, prompted, granted"
    static let promptColumns = "app_id, installation_id, strategy, platform, app_version, first_at, granted"

    /// The `installation_opt_in` rows of the installations `matching` selects (a condition over the alias it is given), from the facts.
    public static func optInRows(matching: (String) -> String) -> String {
        """
        SELECT i.app_id AS app_id, i.installation_id AS installation_id, i.platform AS platform, COALESCE(i.app_version, '') AS app_version,
            CASE WHEN \(has("prompt_shown", "i")) THEN 1 ELSE 0 END AS prompted,
            CASE WHEN \(has("permission_granted", "i")) THEN 1 ELSE 0 END AS granted
        FROM installations i WHERE \(matching("i")) AND (\(has("prompt_shown", "i")) OR \(has("permission_granted", "i")))
        """
    }

    /// The `installation_prompts` rows of the installations `matching` selects, from the facts.
    public static func promptRows(matching: (String) -> String, _ dialect: SQLDialect) -> String {
        """
        SELECT p.app_id AS app_id, p.installation_id AS installation_id, p.strategy AS strategy, i.platform AS platform,
            COALESCE(i.app_version, '') AS app_version, p.first_at AS first_at,
            CASE WHEN \(has("permission_granted", "p", after: "p.first_at")) THEN 1 ELSE 0 END AS granted
        FROM (SELECT e.app_id AS app_id, e.installation_id AS installation_id, \(strategy("e", dialect)) AS strategy, MIN(e.occurred_at) AS first_at
              FROM events e WHERE \(matching("e")) AND e.type = 'prompt_shown'
              GROUP BY e.app_id, e.installation_id, \(strategy("e", dialect))) AS p
        JOIN installations i ON i.app_id = p.app_id AND i.installation_id = p.installation_id
        """
    }

    /// Recomputes the opt-in rows of the installations `matching` selects: deletes them (their triggers subtract
    /// them from the rollups) and inserts them again from the events and the installation (their triggers add them).
    public static func refreshOptIn(matching: (String) -> String, _ dialect: SQLDialect) -> [String] {
        [
            "DELETE FROM installation_opt_in WHERE \(matching("installation_opt_in"))",
            "INSERT INTO installation_opt_in (\(optInColumns)) \(optInRows(matching: matching))",
            "DELETE FROM installation_prompts WHERE \(matching("installation_prompts"))",
            "INSERT INTO installation_prompts (\(promptColumns)) \(promptRows(matching: matching, dialect))",
        ]
    }

    /// Adds (`sign` 1) or subtracts (-1) the `installation_opt_in` rows `rows` answers (alias `r`) to `opt_in_rollups`.
    public static func countOptIn(_ rows: String, sign: Int) -> String {
        """
        INSERT INTO opt_in_rollups (app_id, platform, app_version, prompted, granted)
        SELECT r.app_id, r.platform, r.app_version, \(sign) * SUM(r.prompted), \(sign) * SUM(r.granted) FROM \(rows) r
        GROUP BY r.app_id, r.platform, r.app_version ORDER BY r.app_id, r.platform, r.app_version
        ON CONFLICT (app_id, platform, app_version, shard) DO UPDATE SET prompted = opt_in_rollups.prompted + excluded.prompted,
            granted = opt_in_rollups.granted + excluded.granted
        """
    }

    /// Adds (`sign` 1) or subtracts (-1) the `installation_prompts` rows `rows` answers (alias `r`) to `opt_in_daily_rollups`.
    public static func countPrompts(_ rows: String, sign: Int, _ dialect: SQLDialect) -> String {
        let bucket = day("r.first_at", dialect)
        return """
            INSERT INTO opt_in_daily_rollups (app_id, platform, app_version, strategy, day, prompted, granted)
            SELECT r.app_id, r.platform, r.app_version, r.strategy, \(bucket), \(sign) * COUNT(*), \(sign) * SUM(r.granted) FROM \(rows) r
            GROUP BY r.app_id, r.platform, r.app_version, r.strategy, \(bucket) ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (app_id, platform, app_version, strategy, day, shard) DO UPDATE SET prompted = opt_in_daily_rollups.prompted + excluded.prompted,
                granted = opt_in_daily_rollups.granted + excluded.granted
            """
    }

    public static let recomputedOptIn = """
        SELECT app_id, platform, app_version, CAST(SUM(prompted) AS BIGINT), CAST(SUM(granted) AS BIGINT) FROM installation_opt_in GROUP BY app_id, platform, app_version
        HAVING SUM(prompted) <> 0 OR SUM(granted) <> 0
        """
    public static let storedOptIn = "SELECT app_id, platform, app_version, prompted, granted FROM opt_in_rollups WHERE prompted <> 0 OR granted <> 0"
    public static func recomputedPrompts(_ dialect: SQLDialect) -> String {
        """
        SELECT app_id, platform, app_version, strategy, \(day("first_at", dialect)), COUNT(*), CAST(SUM(granted) AS BIGINT) FROM installation_prompts
        GROUP BY app_id, platform, app_version, strategy, \(day("first_at", dialect))
        """
    }
    public static let storedPrompts = """
        SELECT app_id, platform, app_version, strategy, day, prompted, granted FROM opt_in_daily_rollups WHERE prompted <> 0 OR granted <> 0
        """

    // MARK: Reads.

    /// `AND` the filter's platform and app version (the rollup's columns), those it names, and their values to bind.
    static func narrowed(_ filter: TokenHealth.Filter, platform: String = "platform", version: String = "app_version") -> (String, [SQLValue]) {
        var conditions: [String] = [], values: [SQLValue] = []
        if let p = filter.platform?.rawValue { conditions.append("AND \(platform) = ?"); values.append(.text(p)) }
        if let v = filter.appVersion { conditions.append("AND \(version) = ?"); values.append(.text(v)) }
        return (conditions.joined(separator: " "), values)
    }

    /// An app's registrations and retirements per UTC day: day, registered, retired.
    public static func tokenDays(appId: String, filter: TokenHealth.Filter) -> SQLStatement {
        let (condition, values) = narrowed(filter)
        return SQLStatement("""
            SELECT day, CAST(SUM(registered) AS BIGINT), CAST(SUM(retired) AS BIGINT) FROM token_day_rollups
            WHERE app_id = ? \(condition) GROUP BY day
            """, [.text(appId)] + values)
    }

    /// An app's tokens registered from `fromDay` on, per registration day, platform and lifetime: day, platform, lifetime, n.
    public static func survivalGroups(appId: String, filter: TokenHealth.Filter, fromDay: Int) -> SQLStatement {
        let (condition, values) = narrowed(filter)
        return SQLStatement("""
            SELECT day, platform, lifetime, CAST(SUM(n) AS BIGINT) FROM token_survival_rollups
            WHERE app_id = ? AND day >= ? \(condition) GROUP BY day, platform, lifetime HAVING SUM(n) <> 0
            """, [.text(appId), .integer(fromDay)] + values)
    }

    /// From the facts: the tokens registered from `from` through `through`, per platform, and those of them live
    /// `age` seconds after registering: platform, measured, alive.
    public static func survivalCut(appId: String, filter: TokenHealth.Filter, from: Double, through: Double, age: Double) -> SQLStatement {
        let (condition, values) = narrowed(filter, platform: "t.platform", version: "i.app_version")
        // The installation only when the filter names an app version: otherwise the index on registration time answers alone.
        let installation = filter.appVersion == nil ? "" : "LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id"
        return SQLStatement("""
            SELECT t.platform, COUNT(*), CAST(SUM(CASE WHEN t.status IN \(TokenRollup.live) OR t.status_at > t.created_at + ? THEN 1 ELSE 0 END) AS BIGINT)
            FROM tokens t \(installation)
            WHERE t.app_id = ? AND t.created_at >= ? AND t.created_at <= ? \(condition) GROUP BY t.platform
            """, [.real(age), .text(appId), .real(from), .real(through)] + values)
    }

    /// An app's first prompts on the UTC days `days`, per platform, app version and strategy: those, prompted, granted.
    public static func promptDays(appId: String, filter: TokenHealth.Filter, days: Range<Int>) -> SQLStatement {
        let (condition, values) = narrowed(filter)
        return SQLStatement("""
            SELECT platform, app_version, strategy, CAST(SUM(prompted) AS BIGINT), CAST(SUM(granted) AS BIGINT) FROM opt_in_daily_rollups
            WHERE app_id = ? AND day >= ? AND day < ? \(condition) GROUP BY platform, app_version, strategy
            """, [.text(appId), .integer(days.lowerBound), .integer(days.upperBound)] + values)
    }

    /// From the installations' first prompts between `from` and `through`: as ``promptDays(appId:filter:days:)``.
    public static func prompts(appId: String, filter: TokenHealth.Filter, from: Double, through: Double) -> SQLStatement {
        let (condition, values) = narrowed(filter)
        return SQLStatement("""
            SELECT platform, app_version, strategy, COUNT(*), CAST(SUM(granted) AS BIGINT) FROM installation_prompts
            WHERE app_id = ? AND first_at >= ? AND first_at <= ? \(condition) GROUP BY platform, app_version, strategy
            """, [.text(appId), .real(from), .real(through)] + values)
    }

    /// An app's installations that reported a prompt and a grant: prompted, granted.
    public static func optIn(appId: String, filter: TokenHealth.Filter) -> SQLStatement {
        let (condition, values) = narrowed(filter)
        return SQLStatement("""
            SELECT CAST(COALESCE(SUM(prompted), 0) AS BIGINT), CAST(COALESCE(SUM(granted), 0) AS BIGINT) FROM opt_in_rollups
            WHERE app_id = ? \(condition)
            """, [.text(appId)] + values)
    }
}
