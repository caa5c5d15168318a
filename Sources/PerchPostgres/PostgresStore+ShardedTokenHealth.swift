import PerchSQL

extension PostgresStore {
    /// `token_health_rollups` spread over a shard per connection, as the health rollups are (``RollupStatements``,
    /// "health"): every registration adds to the same few groups, and PostgreSQL holds a row's lock to the end of the
    /// writer's transaction. Its trigger functions are those of migration 9 with the conflict target naming the shard.
    static let shardedTokenHealthMigration = Migration(
        version: 12, name: "sharded-token-health",
        statements: shardingRollup(
            "token_health_rollups", key: RollupStatements.tokenColumns,
            functions: rollupsSchema(.undated).filter {
                $0.hasPrefix("CREATE FUNCTION perch_rollup_tokens_") || $0.hasPrefix("CREATE FUNCTION perch_rollup_installations_")
            }))
}
