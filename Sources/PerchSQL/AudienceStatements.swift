import Foundation
import PerchCore
import PerchStore

/// The audience statements both dialects run as written.
public enum AudienceStatements {
    /// The population a filter runs over: every device token with its installation and user (the `t`, `i` and `u` that
    /// ``AudienceFilter``'s compiled conditions name). VoIP and Live Activity tokens are reached only by their own sends.
    public static let population = """
        FROM tokens t
        JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id AND t.kind = 'device'
        LEFT JOIN users u ON u.app_id = i.app_id AND u.user_id = i.user_id
        """

    /// The population of one kind of token: ``population`` for device tokens; for the other kinds their live tokens
    /// of that kind (and activity type, or activity) whose own lifetime has not ended at `now`.
    public static func population(of selection: TokenSelection, now: Date) -> String {
        guard selection != .device else { return population }
        var condition = "t.kind = \(literal(selection.kind.rawValue)) AND t.status IN ('active', 'stale')"
            + " AND (t.expires_at IS NULL OR t.expires_at > \(now.timeIntervalSince1970))"
        switch selection {
        case .device, .voip: break
        case .liveActivityStart(let activityType): condition += " AND t.activity_type = \(literal(activityType))"
        case .liveActivity(let activityId): condition += " AND t.activity_id = \(literal(activityId))"
        }
        return """
            FROM tokens t
            JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id AND \(condition)
            LEFT JOIN users u ON u.app_id = i.app_id AND u.user_id = i.user_id
            """
    }

    /// The condition that picks the selected token of an installation in ``population(of:now:)``: the installation's
    /// current token for device tokens (the others are picked by their population).
    public static func current(_ selection: TokenSelection) -> String {
        selection == .device ? "t.id = i.token_id" : "1 = 1"
    }

    /// The id of the last person of a ``PeopleSlice`` of `size` installations after `after`, read along the index its
    /// condition (``slice(_:placeholder:)``) ranges over; no row when fewer are left.
    public static func boundary(appId: String, of people: PeopleSlice.People, after: String, size: Int) -> SQLStatement {
        let column = column(people)
        return SQLStatement("""
            SELECT \(column) FROM installations WHERE app_id = ? AND user_id IS \(people == .users ? "NOT NULL" : "NULL") AND \(column) > ?
            ORDER BY \(column) LIMIT 1 OFFSET ?
            """, [.text(appId), .text(after), .integer(max(0, size - 1))])
    }

    /// The condition (over `i`) that keeps a slice's people, with its values in order; `placeholder` writes the
    /// dialect's placeholder for the value it is given the index of (counted from 0 within the slice).
    public static func slice(_ slice: PeopleSlice, placeholder: (Int) -> String) -> (sql: String, values: [String]) {
        let column = "i." + column(slice.people)
        var sql = "\(column) IS NOT NULL AND \(column) > \(placeholder(0))"
        if slice.people == .anonymous { sql = "i.user_id IS NULL AND " + sql }
        guard let through = slice.through else { return ("(\(sql))", [slice.after]) }
        return ("(\(sql) AND \(column) <= \(placeholder(1)))", [slice.after, through])
    }

    /// The id a slice of these people ranges over.
    static func column(_ people: PeopleSlice.People) -> String {
        people == .users ? "user_id" : "installation_id"
    }

    /// A text as an SQL string literal (both dialects double a quote). Activity types and ids are validated to
    /// `A–Z a–z 0–9 . _ : -` before they get here; the quoting keeps that from mattering.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
