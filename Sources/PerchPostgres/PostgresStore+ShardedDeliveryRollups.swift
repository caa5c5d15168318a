import PerchSQL

extension PostgresStore {
    /// `campaign_delivery_rollups` spread over a shard per connection, as `token_health_rollups` is (migration 12): every
    /// claim and every record of a campaign's deliveries adds to the same few rows (the campaign's `pending`, `sending`
    /// and `accepted` groups of the day), and PostgreSQL holds a row's lock to the end of the writer's transaction, so
    /// a claim waited for the other lane's record to commit. Reads and `perch analytics verify` sum over the shards.
    /// The functions of `deliveries`' triggers are migration 13's with the conflict target naming the shard, guarded again.
    static let shardedDeliveryRollupsMigration = Migration(
        version: 15, name: "sharded-delivery-rollups",
        statements: shardingRollup(
            "campaign_delivery_rollups", key: DeliveryRollupKey.daily.columns,
            functions: rollupsSchema(.daily).filter { $0.hasPrefix("CREATE FUNCTION perch_rollup_deliveries_") }
        ) + [guardTriggerFunctions])
}
