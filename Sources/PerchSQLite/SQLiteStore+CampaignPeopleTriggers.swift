import GRDB
import PerchSQL

extension SQLiteStore {
    /// Follows `conversion-rollups` and `rollups` with the same rules and two costs of event ingestion gone:
    ///
    /// - A conversion looked for the campaign people that take its time through the app's started campaigns, one
    ///   primary-key probe of `campaign_people` per campaign, for every conversion. `events_conversions_insert` and
    ///   `events_conversions_update` now start from the person's own campaign rows
    ///   (``RollupStatements/takeFirstConversion(of:)``).
    /// - `campaign_people_update` subtracted and re-added every updated row, two upserts that cancel out when the update
    ///   leaves what `campaign_people_rollups` counts alone — as a conversion's `converted_at` and a person's second
    ///   delivery row do. It now fires only when that moves (``RollupStatements/peopleCountMoved(_:_:)``).
    ///
    /// It touches only triggers on `events` and `campaign_people`.
    static func registerCampaignPeopleTriggersMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("campaign-people-triggers") { db in
            for statement in campaignPeopleTriggers { try db.execute(sql: statement) }
        }
    }

    static var campaignPeopleTriggers: [String] {
        typealias R = RollupStatements
        let one = "(SELECT 1 AS one) AS one"
        let dropped = ["events_conversions_insert", "events_conversions_update", "campaign_people_update"].map { "DROP TRIGGER IF EXISTS \($0)" }
        return dropped + [
            """
            CREATE TRIGGER events_conversions_insert AFTER INSERT ON events WHEN NEW.type = 'converted' BEGIN
                \(R.addConversions(R.conversionsOfEvents(from: one, "NEW", sign: 1, .sqlite)));
                \(R.takeFirstConversion(of: "NEW"));
            END
            """,
            """
            CREATE TRIGGER events_conversions_update AFTER UPDATE OF app_id, type, user_id, installation_id, occurred_at, value ON events
            WHEN OLD.type = 'converted' OR NEW.type = 'converted' BEGIN
                \(R.addConversions(R.conversionsOfEvents(from: one, "OLD", sign: -1, .sqlite) + " UNION ALL "
                                   + R.conversionsOfEvents(from: one, "NEW", sign: 1, .sqlite)));
                \(R.recomputeFirstConversion(of: "OLD"));
                \(R.takeFirstConversion(of: "NEW"));
            END
            """,
            """
            CREATE TRIGGER campaign_people_update AFTER UPDATE OF app_id, campaign_id, n, held_n ON campaign_people WHEN \(R.peopleCountMoved("OLD", "NEW")) BEGIN
                \(R.countPeople("OLD", sign: -1));
                \(R.countPeople("NEW", sign: 1));
            END
            """,
        ]
    }
}
