import PerchCore
import PerchSQL

extension PostgresStore {
    /// Lift's conversions (``RollupStatements``, "conversions"): each campaign person's first conversion since the
    /// campaign started, and `campaign_conversion_rollups`, filled from the facts and kept by statement-level triggers
    /// on `events` and `campaign_people`.
    static let conversionRollupsMigration = Migration(version: 11, name: "conversion-rollups", statements: conversionRollupsSchema)

    static var conversionRollupsSchema: [String] {
        typealias R = RollupStatements
        func person(_ e: String) -> String { SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id") }
        /// The campaign people of the conversions in `rows` whose first conversion is later (or none) take the earliest.
        func first(_ rows: String) -> String {
            """
            UPDATE campaign_people p SET converted_at = x.first FROM (
                SELECT q.app_id, q.campaign_id, q.person, MIN(e.occurred_at) AS first FROM \(rows) e
                JOIN campaign_people q ON q.app_id = e.app_id AND q.person = \(person("e"))
                JOIN campaigns c ON c.app_id = q.app_id AND c.id = q.campaign_id
                WHERE e.type = 'converted' AND c.started_at <= e.occurred_at GROUP BY 1, 2, 3
            ) AS x WHERE p.app_id = x.app_id AND p.campaign_id = x.campaign_id AND p.person = x.person
                AND (p.converted_at IS NULL OR p.converted_at > x.first)
            """
        }
        /// The campaign people of the conversions in `rows` look again.
        func recompute(_ rows: String) -> String {
            """
            UPDATE campaign_people p SET converted_at = \(R.firstConversion("p"))
            FROM (SELECT DISTINCT o.app_id, \(person("o")) AS person FROM \(rows) o WHERE o.type = 'converted') AS x
            WHERE p.app_id = x.app_id AND p.person = x.person AND p.converted_at IS DISTINCT FROM \(R.firstConversion("p"))
            """
        }
        return [
            "ALTER TABLE campaign_people ADD COLUMN converted_at double precision",
            "CREATE INDEX campaign_people_by_person ON campaign_people (app_id, person, n, held_n)",
            "CREATE INDEX campaign_people_converted ON campaign_people (app_id, campaign_id, converted_at) WHERE converted_at IS NOT NULL",
            """
            CREATE TABLE campaign_conversion_rollups (
                app_id text COLLATE "C" NOT NULL, campaign_id text COLLATE "C" NOT NULL, held_out integer NOT NULL, day bigint NOT NULL,
                converters bigint NOT NULL, revenue double precision NOT NULL,
                PRIMARY KEY (app_id, campaign_id, held_out, day)
            )
            """,
            "UPDATE campaign_people p SET converted_at = \(R.firstConversion("p"))",
            "INSERT INTO campaign_conversion_rollups (app_id, campaign_id, held_out, day, converters, revenue) \(R.recomputedConversions(.postgres))",
            TriggerSQL.function("perch_conversions_events_inserted", [R.addConversions(R.conversionsOfEvents(from: "new_rows e", "e", sign: 1, .postgres)),
                                                           first("new_rows")]),
            TriggerSQL.function("perch_conversions_events_deleted", [R.addConversions(R.conversionsOfEvents(from: "old_rows e", "e", sign: -1, .postgres)),
                                                          recompute("old_rows")]),
            TriggerSQL.function("perch_conversions_events_updated", [
                R.addConversions(R.conversionsOfEvents(from: "old_rows e", "e", sign: -1, .postgres) + " UNION ALL "
                                 + R.conversionsOfEvents(from: "new_rows e", "e", sign: 1, .postgres)),
                recompute("old_rows"), recompute("new_rows"),
            ]),
            TriggerSQL.function("perch_conversions_people_inserted", [
                R.addConversions(R.conversionsOfPeople(from: "new_rows p", "p", sign: 1, .postgres)),
                """
                UPDATE campaign_people p SET converted_at = \(R.firstConversion("p")) FROM new_rows x
                WHERE p.app_id = x.app_id AND p.campaign_id = x.campaign_id AND p.person = x.person AND \(R.firstConversion("p")) IS NOT NULL
                """,
            ]),
            TriggerSQL.function("perch_conversions_people_updated", [
                R.addConversions(R.conversionsOfPeople(from: "old_rows p", "p", sign: -1, .postgres) + " UNION ALL "
                                 + R.conversionsOfPeople(from: "new_rows p", "p", sign: 1, .postgres)),
            ]),
            TriggerSQL.function("perch_conversions_people_deleted", [R.addConversions(R.conversionsOfPeople(from: "old_rows p", "p", sign: -1, .postgres))]),
            TriggerSQL.trigger("events_conversions_inserted", "INSERT", on: "events", "perch_conversions_events_inserted"),
            TriggerSQL.trigger("events_conversions_deleted", "DELETE", on: "events", "perch_conversions_events_deleted"),
            TriggerSQL.trigger("events_conversions_updated", "UPDATE", on: "events", "perch_conversions_events_updated"),
            TriggerSQL.trigger("campaign_people_conversions_inserted", "INSERT", on: "campaign_people", "perch_conversions_people_inserted"),
            TriggerSQL.trigger("campaign_people_conversions_updated", "UPDATE", on: "campaign_people", "perch_conversions_people_updated"),
            TriggerSQL.trigger("campaign_people_conversions_deleted", "DELETE", on: "campaign_people", "perch_conversions_people_deleted"),
        ]
    }
}
