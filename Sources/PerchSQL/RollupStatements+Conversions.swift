import Foundation
import PerchCore

/// Lift's conversions, rolled up (docs/metrics.md, "Rollups"): a campaign person's `converted_at` is their first
/// `converted` event at or after the campaign started (any conversion, attributed or not), and
/// `campaign_conversion_rollups` counts per campaign × side of the holdout × UTC day the people whose first
/// conversion fell that day (`converters`) and the value of every conversion of its people that day (`revenue`).
/// Only people with a delivery row (`n > 0`) count. A read takes the days before the one the window's end cuts
/// through from the rollup, and that day from the facts.
extension RollupStatements {
    static let conversionKey = "app_id, campaign_id, held_out, day"

    /// 1 when `campaign_people` row `p` is held out.
    public static func side(_ p: String) -> String { "CASE WHEN \(p).held_n > 0 THEN 1 ELSE 0 END" }

    /// Event `e` is a conversion of person `person` (an expression: `user:…` or `installation:…`): one condition per
    /// kind of person, each of which an index on `events` answers (by user — the type is compared as an expression so
    /// the planner does not walk every conversion by type instead; by installation and type, without a user).
    static func conversionsOfPerson(_ e: String, _ person: String) -> [String] {
        let user = CampaignPlanner.Candidate.userPersonPrefix, installation = CampaignPlanner.Candidate.installationPersonPrefix
        return [
            """
            substr(\(person), 1, \(user.count)) = '\(user)' AND \(e).user_id IS NOT NULL AND \(e).user_id = substr(\(person), \(user.count + 1)) \
            AND \(e).type || '' = 'converted'
            """,
            """
            substr(\(person), 1, \(installation.count)) = '\(installation)' AND \(e).user_id IS NULL \
            AND \(e).installation_id = substr(\(person), \(installation.count + 1)) AND \(e).type = 'converted'
            """,
        ]
    }

    /// The first conversion of `campaign_people` row `p` at or after its campaign started (`NULL`: none).
    public static func firstConversion(_ p: String) -> String {
        let started = "(SELECT c.started_at FROM campaigns c WHERE c.app_id = \(p).app_id AND c.id = \(p).campaign_id)"
        let firsts = conversionsOfPerson("e", "\(p).person").map { match in
            "(SELECT MIN(e.occurred_at) FROM events e WHERE e.app_id = \(p).app_id AND \(match) AND e.occurred_at >= \(started))"
        }
        return "(CASE WHEN substr(\(p).person, 1, \(CampaignPlanner.Candidate.userPersonPrefix.count)) = '\(CampaignPlanner.Candidate.userPersonPrefix)' THEN \(firsts[0]) ELSE \(firsts[1]) END)"
    }

    /// Whether `campaign_people` row `p` can add a conversion or take a `converted_at`: it has one already, or its person
    /// has a `converted` event at all (each an index probe). A row with neither adds nothing — the common case of a
    /// campaign's new people — so a trigger on it may skip its work.
    public static func mayHaveConversions(_ p: String) -> String {
        let any = conversionsOfPerson("e", "\(p).person").map { "EXISTS (SELECT 1 FROM events e WHERE e.app_id = \(p).app_id AND \($0))" }
        return "(\(p).converted_at IS NOT NULL OR \(any.joined(separator: " OR ")))"
    }

    /// What follows an `INSERT INTO campaign_conversion_rollups …`: adds to the row that exists.
    static let conversionConflict = """
        ON CONFLICT (\(conversionKey)) DO UPDATE SET converters = campaign_conversion_rollups.converters + excluded.converters,
            revenue = campaign_conversion_rollups.revenue + excluded.revenue
        """

    /// Adds the deltas `source` answers (the key columns, then `converters`, `revenue`) to the rollup, in key order.
    public static func addConversions(_ source: String) -> String {
        """
        INSERT INTO campaign_conversion_rollups (\(conversionKey), converters, revenue)
        SELECT \(conversionKey), SUM(converters), SUM(revenue) FROM (\(source)) AS c
        GROUP BY \(conversionKey) HAVING SUM(converters) <> 0 OR SUM(revenue) <> 0 ORDER BY \(conversionKey)
        \(conversionConflict)
        """
    }

    /// `sign` times the conversions `events` (a FROM clause naming event `e`) add to the campaigns their person is in
    /// (with a delivery row) that had started by then.
    public static func conversionsOfEvents(from events: String, _ e: String, sign: Int, _ dialect: SQLDialect) -> String {
        """
        SELECT p.app_id AS app_id, p.campaign_id AS campaign_id, \(side("p")) AS held_out, \(day("\(e).occurred_at", dialect)) AS day,
            0 AS converters, \(sign) * COALESCE(\(e).value, 0) AS revenue
        FROM \(events) JOIN campaign_people p ON p.app_id = \(e).app_id
            AND p.person = \(SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id")) AND p.n > 0
        JOIN campaigns c ON c.app_id = p.app_id AND c.id = p.campaign_id
        WHERE \(e).type = 'converted' AND c.started_at <= \(e).occurred_at
        """
    }

    /// `sign` times what the `campaign_people` rows `people` (a FROM clause naming row `p`) add: a converter on the
    /// day of its first conversion, and (unless `revenue` is false: a change that leaves its side and its delivery
    /// rows alone moves none) the value of each of its conversions since the campaign started.
    public static func conversionsOfPeople(from people: String, _ p: String, sign: Int, _ dialect: SQLDialect,
                                           revenue: Bool = true) -> String {
        let converters = """
            SELECT \(p).app_id AS app_id, \(p).campaign_id AS campaign_id, \(side(p)) AS held_out, \(day("\(p).converted_at", dialect)) AS day,
                \(sign) AS converters, 0 AS revenue
            FROM \(people) WHERE \(p).n > 0 AND \(p).converted_at IS NOT NULL
            """
        guard revenue else { return converters }
        return converters + conversionsOfPerson("e", "\(p).person").map { match in
            """

             UNION ALL
            SELECT \(p).app_id, \(p).campaign_id, \(side(p)), \(day("e.occurred_at", dialect)), 0, \(sign) * COALESCE(e.value, 0)
            FROM \(people) JOIN campaigns c ON c.app_id = \(p).app_id AND c.id = \(p).campaign_id
            JOIN events e ON e.app_id = \(p).app_id AND \(match) AND e.occurred_at >= c.started_at
            WHERE \(p).n > 0
            """
        }.joined()
    }

    /// Every rollup row, recomputed from `campaign_people` and `events`: the key, converters, revenue.
    public static func recomputedConversions(_ dialect: SQLDialect) -> String {
        """
        SELECT \(conversionKey), CAST(SUM(converters) AS BIGINT), CAST(SUM(revenue) AS DOUBLE PRECISION)
        FROM (\(conversionsOfPeople(from: "campaign_people p", "p", sign: 1, dialect))) AS c
        GROUP BY \(conversionKey)
        """
    }

    public static let storedConversions = """
        SELECT \(conversionKey), converters, CAST(revenue AS DOUBLE PRECISION) FROM campaign_conversion_rollups WHERE converters <> 0 OR revenue <> 0
        """

    // MARK: Row-level (SQLite's triggers)

    /// The campaigns event `e`'s person (a row: `NEW`/`OLD`) has a `campaign_people` row in; with `startedBy`, only those
    /// started by then. Read from `campaign_people_by_person`, each campaign then by its key.
    static func campaignsOfPerson(_ e: String, startedBy: String? = nil) -> String {
        let person = SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id")
        guard let startedBy else {
            return "SELECT p.campaign_id FROM campaign_people p WHERE p.app_id = \(e).app_id AND p.person = \(person)"
        }
        return """
            SELECT p.campaign_id FROM campaign_people p JOIN campaigns c ON c.app_id = p.app_id AND c.id = p.campaign_id
            WHERE p.app_id = \(e).app_id AND p.person = \(person) AND c.started_at <= \(startedBy)
            """
    }

    /// The campaign people of conversion `e` (`NEW`) whose first conversion is later than `e` (or none) take `e`'s
    /// time, in the campaigns that had started by then.
    ///
    /// The campaigns are the person's own (``campaignsOfPerson(_:startedBy:)``), not the app's started campaigns, which
    /// cost a probe per campaign of the app for every conversion. They are named as an `IN` list because SQLite's
    /// planner, given the person and the condition on `converted_at` alone, walks the app's people by `app_id`.
    public static func takeFirstConversion(of e: String) -> String {
        """
        UPDATE campaign_people SET converted_at = \(e).occurred_at
        WHERE app_id = \(e).app_id AND person = \(SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id"))
            AND (converted_at IS NULL OR converted_at > \(e).occurred_at)
            AND campaign_id IN (\(campaignsOfPerson(e, startedBy: "\(e).occurred_at")))
        """
    }

    /// The campaign people of conversion `e` (`OLD`) whose first conversion was `e`'s time look again. The `IN` list of
    /// the person's campaigns keeps SQLite from walking every converted person of the app.
    public static func recomputeFirstConversion(of e: String) -> String {
        """
        UPDATE campaign_people SET converted_at = \(firstConversion("campaign_people"))
        WHERE app_id = \(e).app_id AND person = \(SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id"))
            AND converted_at = \(e).occurred_at AND campaign_id IN (\(campaignsOfPerson(e)))
        """
    }

    // MARK: Reads

    /// One campaign's converters and revenue per side and day, the days before `beforeDay`: day, held out, converters, revenue.
    public static func conversionDays(appId: String, campaignId: String, beforeDay: Int) -> SQLStatement {
        SQLStatement("""
            SELECT day, held_out, CAST(SUM(converters) AS BIGINT), CAST(SUM(revenue) AS DOUBLE PRECISION) FROM campaign_conversion_rollups
            WHERE app_id = ? AND campaign_id = ? AND day < ? GROUP BY day, held_out
            """, [.text(appId), .text(campaignId), .integer(beforeDay)])
    }

    /// From the facts: one campaign's people whose first conversion fell `from...until`, per side: held out, converters.
    public static func convertersBetween(appId: String, campaignId: String, from: Date, until: Date) -> SQLStatement {
        SQLStatement("""
            SELECT \(side("campaign_people")), COUNT(*) FROM campaign_people
            WHERE app_id = ? AND campaign_id = ? AND converted_at >= ? AND converted_at <= ? AND n > 0 GROUP BY 1
            """, [.text(appId), .text(campaignId), .time(from), .time(until)])
    }

    /// From the facts: the value of the conversions `from...until` of one campaign's people, per side: held out, revenue.
    public static func revenueBetween(appId: String, campaignId: String, from: Date, until: Date) -> SQLStatement {
        SQLStatement("""
            SELECT \(side("p")), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION) FROM events e
            JOIN campaign_people p ON p.app_id = e.app_id AND p.campaign_id = ? AND p.person = \(SQLExpressions.person(user: "e.user_id", installation: "e.installation_id")) AND p.n > 0
            WHERE e.app_id = ? AND e.type = 'converted' AND e.occurred_at >= ? AND e.occurred_at <= ? GROUP BY 1
            """, [.text(campaignId), .text(appId), .time(from), .time(until)])
    }
}
