import GRDB
import PerchSQL

extension SQLiteStore {
    /// The delivery rollups keyed by the UTC day each delivery was queued on as well (``DeliveryRollupKey/daily``), so
    /// the report splits by day: the table rebuilt from the facts, and the triggers that keep it replaced.
    static func registerDailyDeliveriesMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("daily-deliveries") { db in
            for statement in dailyDeliveriesSchema { try db.execute(sql: statement) }
        }
    }

    static var dailyDeliveriesSchema: [String] {
        let key = DeliveryRollupKey.daily
        let triggers = ["deliveries_rollup_insert", "deliveries_rollup_update", "deliveries_rollup_delete"]
        return triggers.map { "DROP TRIGGER \($0)" } + [
            deliveryRollupsTable("campaign_delivery_rollups_daily", key),
            "INSERT INTO campaign_delivery_rollups_daily (\(key.columns), n) \(RollupStatements.recomputedDeliveries(.sqlite, key: key))",
            "DROP TABLE campaign_delivery_rollups",
            "ALTER TABLE campaign_delivery_rollups_daily RENAME TO campaign_delivery_rollups",
        ] + rollupsSchema(key).filter { statement in triggers.contains { statement.hasPrefix("CREATE TRIGGER \($0) ") } }
    }
}
