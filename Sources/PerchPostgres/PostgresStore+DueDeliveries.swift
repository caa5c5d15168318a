extension PostgresStore {
    /// `perch_due_deliveries(at, n)`: the first `n` deliveries due at `at`, in due order, locked for the caller and
    /// passing over rows another claim holds — the first step of every claim (``claimDeliveries(limit:leaseFor:now:)``).
    ///
    /// A function so that its one query is planned with bitmap scans and sorts off: it walks `deliveries_due` in due
    /// order and stops at `n`, whatever the statistics say. A campaign resolved after the table's last analysis leaves
    /// statistics that count few open deliveries, and with them the planner read every due row through a bitmap and
    /// sorted them on each claim (4,488 rows for a batch of 256; bench/scale/README.md, session 31), a cost that grows
    /// with the backlog. The settings hold only while the function runs: setting them for the claim's transaction
    /// instead also reached the trigger functions the claim fires, which keep their plans for the connection's life.
    /// The campaign test stays a filter (`OFFSET 0`), so the running campaigns never drive the scan.
    static let dueDeliveriesMigration = Migration(version: 16, name: "due-deliveries", statements: [
        """
        CREATE OR REPLACE FUNCTION perch_due_deliveries(claim_at double precision, claim_limit bigint)
        RETURNS TABLE (app_id text, id text, due_at double precision)
        LANGUAGE sql VOLATILE SET enable_bitmapscan = off SET enable_sort = off AS $due$
            SELECT d.app_id, d.id, d.due_at FROM deliveries d
            WHERE d.state IN ('pending', 'retry', 'sending') AND d.due_at <= claim_at
              AND EXISTS (SELECT 1 FROM campaigns c WHERE c.app_id = d.app_id AND c.id = d.campaign_id
                          AND (c.status = 'running' OR (c.status = 'cancelled' AND d.state = 'sending')) OFFSET 0)
              AND NOT EXISTS (SELECT 1 FROM gateway_pauses p WHERE p.app_id = d.app_id AND p.platform = d.platform)
            ORDER BY d.due_at LIMIT claim_limit
            FOR UPDATE OF d SKIP LOCKED
        $due$
        """,
    ])
}
