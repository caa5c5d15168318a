import Foundation
import PerchCore

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

    /// A text as an SQL string literal (both dialects double a quote). Activity types and ids are validated to
    /// `A–Z a–z 0–9 . _ : -` before they get here; the quoting keeps that from mattering.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
