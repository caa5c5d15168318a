import PerchSQL

extension PostgresStore {
    /// Accepted deliveries look for a withdrawal after them only when their app has one in their window
    /// (``RollupStatements/anyWithdrawalFacts(from:)``): two small partial indexes (revocations and denials; unregistrations)
    /// and, in the functions of `deliveries`' insert and update triggers (migration 15's), the withdrawals' insert under
    /// that test. A delivery is accepted moments before it is recorded, so the test almost always answers no; it had
    /// probed `consent_history`, `events` and `registry_log` for each accepted delivery of every record (about 1.7 ms per
    /// batch of 256, bench/scale/README.md, session 32).
    static let withdrawalFactsMigration = Migration(version: 18, name: "withdrawal-facts", statements: [
        "CREATE INDEX consent_history_withdrawals ON consent_history (app_id, at) WHERE status IN ('revoked', 'denied')",
        "CREATE INDEX registry_log_unregistrations ON registry_log (app_id, at) WHERE kind = 'unregistered'",
    ] + shardedDeliveryRollupsMigration.statements.filter { $0.contains(withdrawalsOfNewRows) }.map {
        $0.replacingOccurrences(of: withdrawalsOfNewRows,
                                with: "IF EXISTS (\(RollupStatements.anyWithdrawalFacts(from: "new_rows d"))) THEN \(withdrawalsOfNewRows) END IF;")
    } + [guardTriggerFunctions])

    /// The statement of migration 15's delivery functions that adds the withdrawals of the accepted rows of `new_rows`.
    static let withdrawalsOfNewRows =
        "INSERT INTO campaign_withdrawals (app_id, campaign_id, installation_id, kind) \(RollupStatements.recomputedWithdrawals(from: "new_rows d")) ON CONFLICT DO NOTHING;"
}
