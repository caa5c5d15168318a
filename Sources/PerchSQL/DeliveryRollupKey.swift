import PerchCore

/// How a row of `campaign_delivery_rollups` is keyed. The first schema (SQLite migration `rollups`, PostgreSQL 9) kept
/// eight columns; `daily-deliveries` (PostgreSQL 13) adds the UTC day the delivery was queued on (`created_at`: set once,
/// where `due_at` moves with every lease and retry), so the report splits by day. The shipped migrations keep building
/// the first shape, so a database migrated from any version ends where a new one does.
public enum DeliveryRollupKey: Sendable, Hashable {
    case undated, daily

    /// The key columns, in order.
    public var columns: String {
        switch self {
        case .undated: "app_id, campaign_id, variant, locale, state, outcome, reason, attempted"
        case .daily: Self.undated.columns + ", day"
        }
    }

    /// How many key columns there are.
    public var count: Int { columns.split(separator: ",").count }

    /// The key of a row of `deliveries` named by its alias or `NEW` / `OLD`, in the order of ``columns``.
    public func key(_ d: String, _ dialect: SQLDialect) -> String {
        let undated = "\(d).app_id, \(d).campaign_id, COALESCE(\(d).variant, -1), COALESCE(\(d).locale, '\(CampaignCounts.defaultLocale)'), \(d).state, "
            + "COALESCE(\(d).outcome, ''), COALESCE(\(d).reason, ''), CASE WHEN \(d).attempts > 0 THEN 1 ELSE 0 END"
        switch self {
        case .undated: return undated
        case .daily: return undated + ", " + RollupStatements.day("\(d).created_at", dialect)
        }
    }

    /// What follows an `INSERT INTO campaign_delivery_rollups …`: adds to the row that exists.
    public var conflict: String {
        "ON CONFLICT (\(columns)) DO UPDATE SET n = campaign_delivery_rollups.n + excluded.n"
    }
}
