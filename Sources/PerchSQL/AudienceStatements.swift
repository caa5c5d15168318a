/// The audience statements both dialects run as written.
public enum AudienceStatements {
    /// The population a filter runs over: every token with its installation and user (the `t`, `i` and `u` that
    /// ``AudienceFilter``'s compiled conditions name).
    public static let population = """
        FROM tokens t
        JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
        LEFT JOIN users u ON u.app_id = i.app_id AND u.user_id = i.user_id
        """
}
