/// The app statements both dialects run as written.
public enum AppStatements {
    /// The columns ``SQLRow/app()`` reads, in its order (the allowed hosts as JSON text: `jsonb` in PostgreSQL).
    public static let columns = """
        id, name, bundle_id, web_origin, vapid_public_key, CAST(allowed_endpoint_hosts AS TEXT), identity_verification, created_at
        """

    public static func app(id: String) -> SQLStatement {
        SQLStatement("SELECT \(columns) FROM apps WHERE id = ?", [.text(id)])
    }

    public static let all = SQLStatement("SELECT \(columns) FROM apps ORDER BY created_at")
}
