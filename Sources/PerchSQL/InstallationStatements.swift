/// An installation as the registry reads it back, for both dialects: ``columns`` (installations `i` joined to their
/// device token `t`) decode through ``SQLRow/installationSummary()``, ``consentHistory(appId:installationId:)``
/// through ``SQLRow/consentRecord()``.
public enum InstallationStatements {
    public static let columns = """
        i.installation_id, i.platform, i.user_id, i.token_id, i.app_version, i.locale, i.timezone, i.consent, i.consent_source,
        i.consent_at, i.created_at, i.last_seen_at, t.environment, t.status, t.status_reason, t.status_at, t.successor_id,
        t.last_token_update_at
        """

    public static func summary(appId: String, installationId: String) -> SQLStatement {
        SQLStatement("""
            SELECT \(columns) FROM installations i LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = ? AND i.installation_id = ?
            """, [.text(appId), .text(installationId)])
    }

    public static func consentHistory(appId: String, installationId: String) -> SQLStatement {
        SQLStatement("SELECT status, source, at FROM consent_history WHERE app_id = ? AND installation_id = ? ORDER BY seq",
                     [.text(appId), .text(installationId)])
    }

    /// The installation's device token as stored, decoded by ``SQLRow/storedDestination(vault:appId:)``.
    public static func currentToken(appId: String, installationId: String) -> SQLStatement {
        SQLStatement("""
            SELECT t.id, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id
            FROM installations i JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = ? AND i.installation_id = ?
            """, [.text(appId), .text(installationId)])
    }

    /// The key of the lock a writer of the installation takes (``SQLDialect/locks(_:)``).
    public static func lockKey(_ appId: String, _ installationId: String) -> String {
        "perch.installation:\(appId):\(installationId)"
    }
}
