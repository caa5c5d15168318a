import PerchSQL

extension PostgresStore {
    /// The delivery rollups keyed by the UTC day each delivery was queued on as well (``DeliveryRollupKey/daily``), so
    /// the report splits by day: the table re-keyed and refilled from the facts, and the functions of `deliveries`'
    /// triggers replaced by migration 9's with the new key.
    static let dailyDeliveriesMigration = Migration(version: 13, name: "daily-deliveries", statements: [
        "LOCK TABLE deliveries IN SHARE MODE",
        "ALTER TABLE campaign_delivery_rollups ADD COLUMN day bigint NOT NULL DEFAULT 0",
        "ALTER TABLE campaign_delivery_rollups ALTER COLUMN day DROP DEFAULT",
        "ALTER TABLE campaign_delivery_rollups DROP CONSTRAINT campaign_delivery_rollups_pkey",
        "DELETE FROM campaign_delivery_rollups",
        "ALTER TABLE campaign_delivery_rollups ADD PRIMARY KEY (\(DeliveryRollupKey.daily.columns))",
        "INSERT INTO campaign_delivery_rollups (\(DeliveryRollupKey.daily.columns), n) \(RollupStatements.recomputedDeliveries(.postgres, key: .daily))",
    ] + rollupsSchema(.daily).filter { $0.hasPrefix("CREATE FUNCTION perch_rollup_deliveries_") }
        .map { $0.replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION") })
}
