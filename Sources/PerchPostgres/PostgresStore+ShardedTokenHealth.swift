import PerchSQL

extension PostgresStore {
    /// `token_health_rollups` spread over a shard per connection, as the health rollups are (``RollupStatements``,
    /// "health"): every registration adds to the same few groups, and PostgreSQL holds a row's lock to the end of the
    /// writer's transaction. Its trigger functions are those of migration 9 with the conflict target naming the shard.
    static let shardedTokenHealthMigration = Migration(version: 12, name: "sharded-token-health", statements: [
        "ALTER TABLE token_health_rollups ADD COLUMN shard integer NOT NULL DEFAULT (pg_backend_pid() % 16)",
        "ALTER TABLE token_health_rollups DROP CONSTRAINT token_health_rollups_pkey",
        "ALTER TABLE token_health_rollups ADD PRIMARY KEY (\(RollupStatements.tokenColumns), shard)",
    ] + rollupsSchema(.undated).filter { $0.hasPrefix("CREATE FUNCTION perch_rollup_tokens_") || $0.hasPrefix("CREATE FUNCTION perch_rollup_installations_") }
        .map { statement in
            statement.replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION")
                .replacingOccurrences(of: "ON CONFLICT (\(RollupStatements.tokenColumns))", with: "ON CONFLICT (\(RollupStatements.tokenColumns), shard)")
        })
}
