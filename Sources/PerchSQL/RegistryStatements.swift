import Foundation

/// The registry statements both dialects run as written.
public enum RegistryStatements {
    /// One line of the registry log (what happened to an installation or token, and when).
    public static func log(appId: String, at: Date, kind: String, installationId: String? = nil, tokenId: String? = nil,
                           userId: String? = nil, otherUserId: String? = nil, otherInstallationId: String? = nil) -> SQLStatement {
        SQLStatement("""
            INSERT INTO registry_log (app_id, at, kind, installation_id, token_id, user_id, other_user_id, other_installation_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(appId), .time(at), .text(kind), .text(installationId), .text(tokenId), .text(userId), .text(otherUserId),
                  .text(otherInstallationId)])
    }
}
