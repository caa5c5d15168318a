import GRDB
import PerchCore
import PerchSQL

extension SQLiteStore {
    /// Lift's conversions (``RollupStatements``, "conversions"): each campaign person's first conversion since the
    /// campaign started, and `campaign_conversion_rollups`, filled from the facts and kept by triggers on `events` and
    /// `campaign_people`.
    static func registerConversionRollupsMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("conversion-rollups") { db in
            for statement in conversionRollupsSchema { try db.execute(sql: statement) }
        }
    }

    /// A `campaign_people` row named `p` (`NEW` / `OLD`) as a FROM clause naming it `p`.
    static func peopleRow(_ p: String) -> String {
        "(SELECT " + ["app_id", "campaign_id", "person", "n", "held_n", "converted_at"].map { "\(p).\($0) AS \($0)" }.joined(separator: ", ") + ") AS p"
    }

    /// A new campaign person adds its conversions since the campaign started and takes its first as `converted_at`
    /// (only when `condition` holds, if one is given).
    static func peopleConversionsInsertTrigger(when condition: String?) -> String {
        """
        CREATE TRIGGER campaign_people_conversions_insert AFTER INSERT ON campaign_people\(condition.map { " WHEN \($0)" } ?? "") BEGIN
            \(RollupStatements.addConversions(RollupStatements.conversionsOfPeople(from: peopleRow("NEW"), "p", sign: 1, .sqlite)));
            UPDATE campaign_people SET converted_at = \(RollupStatements.firstConversion("campaign_people"))
            WHERE app_id = NEW.app_id AND campaign_id = NEW.campaign_id AND person = NEW.person;
        END
        """
    }

    static var conversionRollupsSchema: [String] {
        typealias R = RollupStatements
        let row = peopleRow
        func person(_ e: String) -> String { SQLExpressions.person(user: "\(e).user_id", installation: "\(e).installation_id") }
        /// The campaign people of event `e`'s person whose first conversion is later than `e` (or none) take `e`'s time.
        func first(_ e: String) -> String {
            """
            UPDATE campaign_people SET converted_at = \(e).occurred_at
            WHERE app_id = \(e).app_id AND person = \(person(e)) AND (converted_at IS NULL OR converted_at > \(e).occurred_at)
                AND campaign_id IN (SELECT c.id FROM campaigns c WHERE c.app_id = \(e).app_id AND c.started_at <= \(e).occurred_at)
            """
        }
        /// The campaign people of event `e`'s person whose first conversion was `e`'s time look again.
        func recompute(_ e: String) -> String {
            """
            UPDATE campaign_people SET converted_at = \(R.firstConversion("campaign_people"))
            WHERE app_id = \(e).app_id AND person = \(person(e)) AND converted_at = \(e).occurred_at
            """
        }
        let one = "(SELECT 1 AS one) AS one"
        let moved = "(OLD.held_n > 0) IS NOT (NEW.held_n > 0) OR (OLD.n > 0) IS NOT (NEW.n > 0)"
        return [
            "ALTER TABLE campaign_people ADD COLUMN converted_at REAL",
            "CREATE INDEX campaign_people_by_person ON campaign_people(app_id, person, n, held_n)",
            "CREATE INDEX campaign_people_converted ON campaign_people(app_id, campaign_id, converted_at) WHERE converted_at IS NOT NULL",
            """
            CREATE TABLE campaign_conversion_rollups (
                app_id TEXT NOT NULL, campaign_id TEXT NOT NULL, held_out INTEGER NOT NULL, day INTEGER NOT NULL,
                converters INTEGER NOT NULL, revenue REAL NOT NULL,
                PRIMARY KEY (app_id, campaign_id, held_out, day)
            ) WITHOUT ROWID
            """,
            "UPDATE campaign_people SET converted_at = \(R.firstConversion("campaign_people"))",
            "INSERT INTO campaign_conversion_rollups (app_id, campaign_id, held_out, day, converters, revenue) \(R.recomputedConversions(.sqlite))",
            """
            CREATE TRIGGER events_conversions_insert AFTER INSERT ON events WHEN NEW.type = 'converted' BEGIN
                \(R.addConversions(R.conversionsOfEvents(from: one, "NEW", sign: 1, .sqlite)));
                \(first("NEW"));
            END
            """,
            """
            CREATE TRIGGER events_conversions_delete AFTER DELETE ON events WHEN OLD.type = 'converted' BEGIN
                \(R.addConversions(R.conversionsOfEvents(from: one, "OLD", sign: -1, .sqlite)));
                \(recompute("OLD"));
            END
            """,
            """
            CREATE TRIGGER events_conversions_update AFTER UPDATE OF app_id, type, user_id, installation_id, occurred_at, value ON events
            WHEN OLD.type = 'converted' OR NEW.type = 'converted' BEGIN
                \(R.addConversions(R.conversionsOfEvents(from: one, "OLD", sign: -1, .sqlite) + " UNION ALL "
                                   + R.conversionsOfEvents(from: one, "NEW", sign: 1, .sqlite)));
                \(recompute("OLD"));
                \(first("NEW"));
            END
            """,
            peopleConversionsInsertTrigger(when: nil),
            """
            CREATE TRIGGER campaign_people_conversions_update AFTER UPDATE ON campaign_people WHEN \(moved) BEGIN
                \(R.addConversions(R.conversionsOfPeople(from: row("OLD"), "p", sign: -1, .sqlite) + " UNION ALL "
                                   + R.conversionsOfPeople(from: row("NEW"), "p", sign: 1, .sqlite)));
            END
            """,
            """
            CREATE TRIGGER campaign_people_converted_update AFTER UPDATE OF converted_at ON campaign_people
            WHEN NOT (\(moved)) AND OLD.converted_at IS NOT NEW.converted_at BEGIN
                \(R.addConversions(R.conversionsOfPeople(from: row("OLD"), "p", sign: -1, .sqlite, revenue: false) + " UNION ALL "
                                   + R.conversionsOfPeople(from: row("NEW"), "p", sign: 1, .sqlite, revenue: false)));
            END
            """,
            """
            CREATE TRIGGER campaign_people_conversions_delete AFTER DELETE ON campaign_people BEGIN
                \(R.addConversions(R.conversionsOfPeople(from: row("OLD"), "p", sign: -1, .sqlite)));
            END
            """,
        ]
    }
}
