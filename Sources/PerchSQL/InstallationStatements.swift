/// An installation as the registry reads it back, for both dialects: ``columns`` (installations `i` joined to their
/// device token `t`) decode through ``SQLRow/installationSummary()``.
public enum InstallationStatements {
    public static let columns = """
        i.installation_id, i.platform, i.user_id, i.token_id, i.app_version, i.locale, i.timezone, i.consent, i.consent_source,
        i.consent_at, i.created_at, i.last_seen_at, t.environment, t.status, t.status_reason, t.status_at, t.successor_id,
        t.last_token_update_at
        """
}
