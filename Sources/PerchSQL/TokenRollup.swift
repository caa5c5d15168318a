import Foundation

/// A rollup kept from token rows, written once for the triggers of both backends: every token, with its installation
/// joined as `i` (absent: every `i` column `NULL`), adds the values of each of its ``Part``s to one row of ``table``.
/// A token change subtracts what the old row added and adds what the new one adds; an installation change does the
/// same for each of its tokens, with the installation's old and new row.
public struct TokenRollup: Sendable {
    /// What one token adds: to the row its `key` names, its `values`, when `condition` holds.
    public struct Part: Sendable {
        /// The key columns' expressions over token alias `t` and installation alias `i`.
        public var key: @Sendable (_ t: String, _ i: String) -> [String]
        /// The value columns' expressions over token alias `t`.
        public var values: @Sendable (_ t: String) -> [String]
        public var condition: @Sendable (_ t: String, _ i: String) -> String
    }

    public var table: String
    public var keyColumns: [String]
    public var valueColumns: [String]
    public var parts: [Part]
    /// When a token row changes in a way this rollup sees (over `OLD` and `NEW`).
    public var tokenChanged: @Sendable (_ old: String, _ new: String, _ dialect: SQLDialect) -> String
    /// The installation columns the keys or conditions read.
    public var installationColumns: [String]
    /// Whether its rows are spread over a `shard` column (the connection's, on PostgreSQL; summed on read), so
    /// concurrent writers of the same group do not wait on one row lock each.
    public var sharded = false

    /// The statuses of a live token (docs/metrics.md).
    public static let live = "('active', 'stale')"

    /// Each part of the tokens `from` answers (a FROM clause naming the token `t` and the installation `i`) where
    /// `condition` holds, `sign` times, one `SELECT` per part with the table's column names.
    public func contributions(t: String, i: String, from: String, where condition: String = "1 = 1", sign: Int) -> String {
        parts.map { part in
            let columns = zip(part.key(t, i), keyColumns).map { "\($0) AS \($1)" }
                + zip(part.values(t), valueColumns).map { "\(sign) * (\($0)) AS \($1)" }
            return "SELECT \(columns.joined(separator: ", ")) FROM \(from) WHERE (\(condition)) AND (\(part.condition(t, i)))"
        }.joined(separator: " UNION ALL ")
    }

    /// Adds the deltas `source` answers (the key columns, then the value columns) to the rollup, in key order.
    public func add(_ source: String) -> String {
        let keys = keyColumns.joined(separator: ", ")
        let sums = valueColumns.map { "SUM(\($0))" }
        return """
            INSERT INTO \(table) (\(keys), \(valueColumns.joined(separator: ", ")))
            SELECT \(keys), \(sums.joined(separator: ", ")) FROM (\(source)) AS c
            GROUP BY \(keys) HAVING \(sums.map { "\($0) <> 0" }.joined(separator: " OR ")) ORDER BY \(keys)
            ON CONFLICT (\(keys)\(sharded ? ", shard" : "")) DO UPDATE SET \(valueColumns.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", "))
            """
    }

    /// The tokens `from` names as `t` (with `condition`), seen with installation row `i` (`nil`: with none), `sign` times.
    public func ofInstallation(from: String, where condition: String, as i: String?, sign: Int) -> String {
        guard let i else {
            // One row of NULLs (a join to `installations` that matches nothing would still walk it).
            let none = "(SELECT NULL AS app_id, NULL AS installation_id, NULL AS platform, NULL AS user_id, NULL AS app_version) AS none"
            return contributions(t: "t", i: "none", from: "\(from) CROSS JOIN \(none)", where: condition, sign: sign)
        }
        return contributions(t: "t", i: i, from: from, where: condition, sign: sign)
    }

    /// Token `t` (a row trigger's `NEW`/`OLD`) with its installation, `sign` times.
    public func ofToken(_ t: String, sign: Int) -> String {
        contributions(t: t, i: "i", from: "(SELECT 1 AS one) AS one LEFT JOIN installations i ON i.app_id = \(t).app_id AND i.installation_id = \(t).installation_id",
                      sign: sign)
    }

    /// The tokens of transition table `rows`, with their installations, `sign` times.
    public func ofTokens(in rows: String, sign: Int) -> String {
        contributions(t: "t", i: "i", from: "\(rows) t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id",
                      sign: sign)
    }

    /// Every row, recomputed from `tokens` and `installations`: the key columns, then the value columns.
    public var recomputed: String {
        let keys = keyColumns.joined(separator: ", ")
        let sums = valueColumns.map { "CAST(SUM(\($0)) AS BIGINT)" }
        return """
            SELECT \(keys), \(sums.joined(separator: ", ")) FROM (\(ofTokens(in: "tokens", sign: 1))) AS c
            GROUP BY \(keys) HAVING \(sums.map { "\($0) <> 0" }.joined(separator: " OR "))
            """
    }

    public var backfill: String {
        "INSERT INTO \(table) (\(keyColumns.joined(separator: ", ")), \(valueColumns.joined(separator: ", "))) \(recomputed)"
    }

    /// Every stored row that counts something, in the columns of ``recomputed``.
    public var stored: String {
        "SELECT \(keyColumns.joined(separator: ", ")), \(valueColumns.joined(separator: ", ")) FROM \(table) WHERE "
            + valueColumns.map { "\($0) <> 0" }.joined(separator: " OR ")
    }

    /// When an installation row changes in a way this rollup sees (over `OLD` and `NEW`).
    public func installationChanged(_ old: String, _ new: String, _ dialect: SQLDialect) -> String {
        installationColumns.map { "\(old).\($0) \(Self.distinct(dialect)) \(new).\($0)" }.joined(separator: " OR ")
    }

    /// The dialect's null-safe "differs".
    public static func distinct(_ dialect: SQLDialect) -> String { dialect == .postgres ? "IS DISTINCT FROM" : "IS NOT" }
}
