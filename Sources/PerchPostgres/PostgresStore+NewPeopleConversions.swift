import PerchSQL

extension PostgresStore {
    /// New campaign people look for their conversions only when their campaign can have any: the function of
    /// `campaign_people`'s insert trigger (migration 11's `perch_conversions_people_inserted`) first asks whether the
    /// app has a conversion at or after each new row's campaign started (one probe of `events_by_type` per campaign of
    /// the statement), and returns when none has. Otherwise it does what migration 11's did, with each new person's
    /// first conversion computed once, from the new row, before it is matched to its `campaign_people` row.
    ///
    /// A campaign's resolution inserts its people in statements of thousands, almost always just after it started;
    /// migration 11's function probed `events` for each of them three times (their revenue by user and by installation,
    /// their first conversion) and joined every new row back to `campaign_people` (bench/scale/README.md, session 32).
    static let newPeopleConversionsMigration = Migration(version: 17, name: "new-people-conversions", statements: [
        TriggerSQL.function("perch_conversions_people_inserted", [
            "IF NOT EXISTS (SELECT 1 FROM new_rows) THEN RETURN NULL; END IF",
            """
            IF NOT EXISTS (
                SELECT 1 FROM (SELECT DISTINCT app_id, campaign_id FROM new_rows) AS x
                JOIN campaigns c ON c.app_id = x.app_id AND c.id = x.campaign_id
                WHERE EXISTS (SELECT 1 FROM events e WHERE e.app_id = c.app_id AND e.type = 'converted' AND e.occurred_at >= c.started_at)
            ) THEN RETURN NULL; END IF
            """,
            RollupStatements.addConversions(RollupStatements.conversionsOfPeople(from: "new_rows p", "p", sign: 1, .postgres)),
            """
            UPDATE campaign_people p SET converted_at = f.first FROM (
                SELECT x.app_id, x.campaign_id, x.person, \(RollupStatements.firstConversion("x")) AS first FROM new_rows x OFFSET 0
            ) AS f
            WHERE f.first IS NOT NULL AND p.app_id = f.app_id AND p.campaign_id = f.campaign_id AND p.person = f.person
            """,
        ]).replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION"),
    ])
}
