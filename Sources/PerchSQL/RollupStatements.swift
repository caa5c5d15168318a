import Foundation
import PerchCore

/// The campaign rollups, written once: what each rollup row counts, as the facts recompute it and as the triggers of
/// both backends keep it (`campaign_delivery_rollups`, `campaign_event_rollups`; see docs/metrics.md, "Rollups").
///
/// - A delivery rollup row counts a campaign's delivery rows of one group: variant, locale, state, outcome, reason and
///   attempted-or-not (an absent variant is `-1`, an absent outcome or reason `''`, an absent locale
///   ``CampaignCounts/defaultLocale``).
/// - An event rollup row counts the `received`, `opened` and `converted` events attributed to a campaign, per the
///   variant and locale of the delivery they name (`-1` and `''` when they name none that exists), type and UTC day
///   they occurred on, with the sum of their values and bounds of their times (`first_at` ≤ every time ≤ `last_at`:
///   exact when written, widened never narrowed by later changes), so a read knows which days lie wholly inside a
///   campaign's attribution window.
public enum RollupStatements {
    /// The event types a campaign's funnel counts.
    public static let eventTypes = "(" + eventTypeNames.map { "'\($0)'" }.joined(separator: ", ") + ")"
    static let eventTypeNames = ["received", "opened", "converted"]
    public static let secondsPerDay: Double = 86_400

    // MARK: Keys, over a row of `deliveries` (and of `events`) named by its alias or `NEW` / `OLD`.

    /// The delivery rollups' key as the current schema has it (``DeliveryRollupKey``).
    public static let deliveries = DeliveryRollupKey.daily
    public static let eventColumns = "app_id, campaign_id, variant, locale, type, day"

    /// The event's variant and locale, from the delivery it names as joined under alias `d`.
    public static func eventVariant(_ d: String) -> String { "COALESCE(\(d).variant, -1)" }
    public static func eventLocale(_ d: String) -> String {
        "CASE WHEN \(d).id IS NULL THEN '' ELSE COALESCE(\(d).locale, '\(CampaignCounts.defaultLocale)') END"
    }

    /// The UTC day (days since 1970) of a time column.
    public static func day(_ column: String, _ dialect: SQLDialect) -> String {
        dialect == .postgres ? "CAST(floor(\(column) / 86400) AS bigint)" : "CAST(\(column) / 86400 AS INTEGER)"
    }

    // MARK: Writes the triggers (and the backfill) share.

    /// What follows an `INSERT INTO campaign_event_rollups …`: adds to the row that exists, widening its time bounds.
    public static func eventConflict(_ dialect: SQLDialect) -> String {
        """
        ON CONFLICT (\(eventColumns)) DO UPDATE SET n = campaign_event_rollups.n + excluded.n,
            value = campaign_event_rollups.value + excluded.value,
            first_at = \(dialect.least("campaign_event_rollups.first_at", "excluded.first_at")),
            last_at = \(dialect.greatest("campaign_event_rollups.last_at", "excluded.last_at"))
        """
    }

    /// Adds `sign` (±1) times one delivery row (`NEW` or `OLD` in a row trigger) to its group, keyed as `key`.
    public static func countDelivery(_ row: String, sign: Int, _ key: DeliveryRollupKey, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO campaign_delivery_rollups (\(key.columns), n) VALUES (\(key.key(row, dialect)), \(sign))
        \(key.conflict)
        """
    }

    /// Whether `column` holds one of ``eventTypes``, spelled as comparisons for the row triggers: SQLite builds a
    /// temporary table for an `IN` list of three constants each time a trigger fires (twice per inserted event: about a
    /// tenth of event ingestion's time, profiled), and none for comparisons.
    public static func isEventType(_ column: String) -> String {
        "(" + eventTypeNames.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
    }

    /// Adds `sign` (±1) times one event row (`NEW` or `OLD` in a row trigger) to its group, keyed by the delivery it
    /// names as it now is. Events not attributed to a campaign, or of another type, are not counted.
    public static func countEvent(_ row: String, sign: Int, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO campaign_event_rollups (\(eventColumns), n, value, first_at, last_at)
        SELECT \(row).app_id, \(row).campaign_id, \(eventVariant("d")), \(eventLocale("d")), \(row).type, \(day("\(row).occurred_at", dialect)),
            \(sign), \(sign) * COALESCE(\(row).value, 0), \(row).occurred_at, \(row).occurred_at
        FROM (SELECT 1 AS one) AS one LEFT JOIN deliveries d ON d.app_id = \(row).app_id AND d.id = \(row).delivery_id
        WHERE \(row).campaign_id IS NOT NULL AND \(isEventType("\(row).type"))
        \(eventConflict(dialect))
        """
    }

    /// Moves the events naming delivery `row` (`NEW`/`OLD`) into (`sign` 1) or out of (`sign` -1) the group of
    /// `variant` and `locale` (SQL expressions), when that delivery appears, changes or goes.
    public static func moveEvents(of row: String, variant: String, locale: String, sign: Int, _ dialect: SQLDialect) -> String {
        """
        INSERT INTO campaign_event_rollups (\(eventColumns), n, value, first_at, last_at)
        SELECT e.app_id, e.campaign_id, \(variant), \(locale), e.type, \(day("e.occurred_at", dialect)),
            \(sign) * COUNT(*), \(sign) * COALESCE(SUM(e.value), 0), MIN(e.occurred_at), MAX(e.occurred_at)
        FROM events e
        WHERE e.app_id = \(row).app_id AND e.delivery_id = \(row).id AND e.campaign_id IS NOT NULL AND e.type IN \(eventTypes)
        GROUP BY e.app_id, e.campaign_id, e.type, \(day("e.occurred_at", dialect))
        \(eventConflict(dialect))
        """
    }

    // MARK: Recomputation from the facts (backfill, verification, repair).

    /// Every delivery rollup row keyed as `key`, recomputed from `deliveries`: the key columns, then `n`.
    public static func recomputedDeliveries(_ dialect: SQLDialect, key: DeliveryRollupKey = deliveries) -> String {
        "SELECT \(key.key("deliveries", dialect)), COUNT(*) FROM deliveries GROUP BY \(key.key("deliveries", dialect))"
    }

    /// Every event rollup row, recomputed from `events`: the key columns, then `n`, `value`, `first_at`, `last_at`.
    public static func recomputedEvents(_ dialect: SQLDialect) -> String {
        """
        SELECT e.app_id, e.campaign_id, \(eventVariant("d")), \(eventLocale("d")), e.type, \(day("e.occurred_at", dialect)),
            COUNT(*), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION), MIN(e.occurred_at), MAX(e.occurred_at)
        FROM events e LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
        WHERE e.campaign_id IS NOT NULL AND e.type IN \(eventTypes)
        GROUP BY e.app_id, e.campaign_id, \(eventVariant("d")), \(eventLocale("d")), e.type, \(day("e.occurred_at", dialect))
        """
    }

    /// Fills every rollup but the people counts from the facts (the migration's backfill, and a repair after it emptied
    /// them), the delivery rollups keyed as `key`.
    public static func backfill(_ dialect: SQLDialect, deliveries key: DeliveryRollupKey = deliveries) -> [String] {
        [
            "INSERT INTO campaign_delivery_rollups (\(key.columns), n) \(recomputedDeliveries(dialect, key: key))",
            "INSERT INTO campaign_event_rollups (\(eventColumns), n, value, first_at, last_at) \(recomputedEvents(dialect))",
            "INSERT INTO campaign_withdrawals (app_id, campaign_id, installation_id, kind) \(recomputedWithdrawals())",
            "INSERT INTO campaign_people (app_id, campaign_id, person, n, held_n) \(recomputedPeople)",
            backfillTokens,
        ]
    }

    /// Counts the people of `campaign_people` per campaign and side of the holdout: the migration's last backfill step
    /// (later, the triggers of `campaign_people` keep the counts, also while a repair refills it).
    public static let backfillPeopleCounts = "INSERT INTO campaign_people_rollups (app_id, campaign_id, held_out, people) \(recomputedPeopleCounts)"

    /// Every rollup table, in the order a rebuild empties them (the people before their counts, which their triggers change).
    public static let tables = ["campaign_delivery_rollups", "campaign_event_rollups", "campaign_withdrawals", "campaign_people",
                                "campaign_people_rollups", "campaign_conversion_rollups", "token_health_rollups"] + healthTables

    /// Empties every rollup and fills it again from the facts (a repair, and the end of `perch migrate`).
    public static func rebuild(_ dialect: SQLDialect) -> [String] {
        tables.map { "DELETE FROM \($0)" } + backfill(dialect) + healthBackfill(dialect)
    }

    /// Every stored delivery rollup row that counts something, in the columns of ``recomputedDeliveries(_:key:)``.
    public static let storedDeliveries = "SELECT \(deliveries.columns), n FROM campaign_delivery_rollups WHERE n <> 0"

    /// Every stored event rollup row that counts something, in the columns of ``recomputedEvents(_:)``.
    public static let storedEvents = """
        SELECT \(eventColumns), n, CAST(value AS DOUBLE PRECISION), first_at, last_at FROM campaign_event_rollups WHERE n <> 0 OR value <> 0
        """

    // MARK: Reads.

    /// One campaign's delivery groups: variant, locale, state, outcome, reason, attempted, n; with `byDay`, the UTC day
    /// the deliveries were queued on last.
    public static func deliveryGroups(appId: String, campaignId: String, byDay: Bool = false) -> SQLStatement {
        let columns = "variant, locale, state, outcome, reason, attempted" + (byDay ? ", day" : "")
        return SQLStatement("""
            SELECT \(columns), CAST(SUM(n) AS BIGINT) FROM campaign_delivery_rollups
            WHERE app_id = ? AND campaign_id = ? GROUP BY \(columns) HAVING SUM(n) <> 0
            """, [.text(appId), .text(campaignId)])
    }

    /// Whether the campaign of app `app` and id `campaign` (expressions) still has deliveries in one of `states`,
    /// from its rollup groups (a few rows at any size): what completing a campaign asks after every recorded batch,
    /// without an index of `deliveries` kept for it on every enqueue, claim and record.
    public static func hasDeliveries(app: String, campaign: String, in states: [String]) -> String {
        """
        (SELECT COALESCE(SUM(r.n), 0) FROM campaign_delivery_rollups r
         WHERE r.app_id = \(app) AND r.campaign_id = \(campaign) AND r.state IN (\(states.map { "'\($0)'" }.joined(separator: ", ")))) > 0
        """
    }

    /// One campaign's event groups: variant, locale, type, day, n, value, first_at, last_at.
    public static func eventGroups(appId: String, campaignId: String) -> SQLStatement {
        SQLStatement("""
            SELECT variant, locale, type, day, n, CAST(value AS DOUBLE PRECISION), first_at, last_at FROM campaign_event_rollups
            WHERE app_id = ? AND campaign_id = ? AND n <> 0
            """, [.text(appId), .text(campaignId)])
    }

    /// The events of one campaign that occurred in `from...until` on the UTC `days` given, counted from the facts as
    /// the rollup keys them: variant, locale, type, n, value, day. For the days a window end cuts through.
    public static func eventFacts(appId: String, campaignId: String, from: Date, until: Date, days: [Int], _ dialect: SQLDialect) -> SQLStatement {
        let placeholders = Array(repeating: "?", count: days.count).joined(separator: ", ")
        return SQLStatement("""
            SELECT \(eventVariant("d")), \(eventLocale("d")), e.type, COUNT(*), CAST(COALESCE(SUM(e.value), 0) AS DOUBLE PRECISION),
                \(day("e.occurred_at", dialect))
            FROM events e LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
            WHERE e.app_id = ? AND e.campaign_id = ? AND e.type IN \(eventTypes) AND e.occurred_at >= ? AND e.occurred_at <= ?
              AND \(day("e.occurred_at", dialect)) IN (\(placeholders))
            GROUP BY \(eventVariant("d")), \(eventLocale("d")), e.type, \(day("e.occurred_at", dialect))
            """, [.text(appId), .text(campaignId), .time(from), .time(until)] + days.map { .integer($0) })
    }
}
