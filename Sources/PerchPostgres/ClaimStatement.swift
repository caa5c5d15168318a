import PostgresNIO

/// A claim's one statement, prepared once per connection: the due rows locked, updated to `sending` until the lease's
/// end and returned with their tokens (still sealed), installations and users.
///
/// Prepared because a worker runs it several times a second for as long as a campaign sends, and planning the
/// statement (four joins over a data-modifying `WITH`) each time was part of the 6% of PostgreSQL's time a campaign
/// spent in the planner (bench/scale/README.md, session 34). Its plan does not depend on the arguments: the due rows
/// come from `perch_due_deliveries`, which expects one row (migration 19), and each is updated through the key.
struct ClaimStatement: PostgresPreparedStatement {
    typealias Row = PostgresRandomAccessRow

    static let name = "perch_claim_deliveries"

    static let sql = claiming(due: "SELECT * FROM perch_due_deliveries($1, $2)")

    /// The claim of the rows `due` selects and locks (`app_id`, `id`, `due_at`), at `$1`, at most `$2`, leased until `$3`.
    static func claiming(due: String) -> String {
        """
        WITH due AS (
            \(due)
        ), claimed AS (
            UPDATE deliveries d SET state = 'sending', attempts = d.attempts + 1, due_at = $3, updated_at = $1
            FROM due WHERE d.app_id = due.app_id AND d.id = due.id
            RETURNING d.id, d.app_id, d.campaign_id, d.attempts, d.variant, d.token_id, d.installation_id, d.user_id, d.expires_at,
                      d.created_at, due.due_at AS was_due
        )
        SELECT cl.id, cl.app_id, cl.campaign_id, cl.attempts, cl.variant, cl.token_id, cl.installation_id, cl.user_id, cl.expires_at,
               cl.created_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
               i.consent, i.locale, i.timezone, i.app_version, u.attributes::text AS attributes
        FROM claimed cl
        LEFT JOIN tokens t ON t.app_id = cl.app_id AND t.id = cl.token_id
        LEFT JOIN installations i ON i.app_id = cl.app_id AND i.installation_id = cl.installation_id
        LEFT JOIN users u ON u.app_id = cl.app_id AND u.user_id = i.user_id
        ORDER BY cl.was_due, cl.id
        """
    }

    /// The due rows of one campaign (`$4`, `$5`: its app and id) as `perch_due_deliveries` picks them for all: for a
    /// worker run for one send, so not prepared.
    static let campaignDue = """
        SELECT d.app_id, d.id, d.due_at FROM deliveries d
        WHERE d.app_id = $4 AND d.campaign_id = $5 AND d.state IN ('pending', 'retry', 'sending') AND d.due_at <= $1
          AND EXISTS (SELECT 1 FROM campaigns c WHERE c.app_id = d.app_id AND c.id = d.campaign_id
                      AND (c.status = 'running' OR (c.status = 'cancelled' AND d.state = 'sending')))
          AND NOT EXISTS (SELECT 1 FROM gateway_pauses p WHERE p.app_id = d.app_id AND p.platform = d.platform)
        ORDER BY d.due_at LIMIT $2
        FOR UPDATE OF d SKIP LOCKED
        """

    static let bindingDataTypes: [PostgresDataType] = [.float8, .int8, .float8]

    /// The claim's time (seconds since 1970), at most this many rows, and the lease's end.
    var at: Double
    var limit: Int
    var leaseUntil: Double

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(at)
        bindings.append(limit)
        bindings.append(leaseUntil)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRandomAccessRow { row.makeRandomAccess() }
}
