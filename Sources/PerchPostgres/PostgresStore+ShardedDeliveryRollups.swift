import PerchSQL

extension PostgresStore {
    /// `campaign_delivery_rollups` spread over a shard per connection, as `token_health_rollups` is (migration 12): every
    /// claim and every record of a campaign's deliveries adds to the same few rows (the campaign's `pending`, `sending`
    /// and `accepted` groups of the day), and PostgreSQL holds a row's lock to the end of the writer's transaction, so
    /// a claim waited for the other lane's record to commit. Reads and `perch analytics verify` sum over the shards.
    /// The functions of `deliveries`' triggers are migration 13's with the conflict target naming the shard, guarded again.
    static let shardedDeliveryRollupsMigration = Migration(version: 15, name: "sharded-delivery-rollups", statements: [
        "ALTER TABLE campaign_delivery_rollups ADD COLUMN shard integer NOT NULL DEFAULT (pg_backend_pid() % 16)",
        "ALTER TABLE campaign_delivery_rollups DROP CONSTRAINT campaign_delivery_rollups_pkey",
        "ALTER TABLE campaign_delivery_rollups ADD PRIMARY KEY (\(DeliveryRollupKey.daily.columns), shard)",
    ] + rollupsSchema(.daily).filter { $0.hasPrefix("CREATE FUNCTION perch_rollup_deliveries_") }.map { statement in
        statement.replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION")
            .replacingOccurrences(of: "ON CONFLICT (\(DeliveryRollupKey.daily.columns))", with: "ON CONFLICT (\(DeliveryRollupKey.daily.columns), shard)")
    } + [guardTriggerFunctions])
}
