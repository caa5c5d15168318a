extension PostgresStore {
    /// The statements that spread a rollup `table` keyed by `columns` over a shard per connection
    /// (`pg_backend_pid() % 16`), so that concurrent writers of one group add to different rows, and replace the trigger
    /// `functions` (their `CREATE FUNCTION` statements as first written) with ones whose conflict target names the shard.
    /// Reads and `perch analytics verify` sum over the shards.
    static func shardingRollup(_ table: String, key columns: String, functions: [String]) -> [String] {
        [
            "ALTER TABLE \(table) ADD COLUMN shard integer NOT NULL DEFAULT (pg_backend_pid() % 16)",
            "ALTER TABLE \(table) DROP CONSTRAINT \(table)_pkey",
            "ALTER TABLE \(table) ADD PRIMARY KEY (\(columns), shard)",
        ] + functions.map { statement in
            statement.replacingOccurrences(of: "CREATE FUNCTION", with: "CREATE OR REPLACE FUNCTION")
                .replacingOccurrences(of: "ON CONFLICT (\(columns))", with: "ON CONFLICT (\(columns), shard)")
        }
    }
}
