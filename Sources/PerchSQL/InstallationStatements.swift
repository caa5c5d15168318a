import Foundation
import PerchCore
import PerchStore

/// An installation as the registry reads and changes it, for both dialects: ``columns`` (installations `i` joined to their
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

    /// The installation's device token as stored: its id, its delivery address (``SQLRow/storedDestination(from:vault:appId:)``
    /// from column 1) and its status (from column 4).
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

    /// A rebind's answer, as one `Sendable` value out of the transaction.
    public struct Rebound: Sendable {
        public var summary: InstallationSummary
        public var previous: String?
    }

    /// A change to an installation that reaches its tokens: locks it, reads its device token (nothing more when there
    /// is no such installation: `missing`), reads and locks that token and the installation's VoIP and Live Activity
    /// tokens, applies `event` to each as ``TokenLifecycle`` allows (a refused transition leaves the token as it is),
    /// runs `writes`, and answers what `then` makes of their answers.
    public static func tokenChange<T: Sendable>(appId: String, installationId: String, dialect: SQLDialect, event: TokenEvent?, at: Date,
                                                missing: T, writes: [SQLStatement],
                                                then: @escaping @Sendable ([[any SQLRow]]) throws -> T) -> SQLPlan<T> {
        let (app, installation) = (SQLValue.text(appId), SQLValue.text(installationId))
        return SQLPlan(dialect.locks([lockKey(appId, installationId)])
                       + [SQLStatement("SELECT token_id FROM installations WHERE app_id = ? AND installation_id = ?", [app, installation])]) { answers in
            guard let row = answers.last?.first else { return .done(missing) }
            return .plan(SQLPlan([SQLStatement("""
                SELECT id, status, status_reason, status_at, successor_id FROM tokens
                WHERE app_id = ? AND ((installation_id = ? AND kind <> 'device') OR id = ?) ORDER BY id\(dialect.forUpdate)
                """, [app, installation, .text(try row.text(0))])]) { answers in
                let transitions = try answers[0].compactMap { token -> SQLStatement? in
                    guard let event, case .success(let next) = TokenLifecycle.apply(event, to: try token.tokenStatus(from: 1)) else { return nil }
                    return TokenStatements.transition(to: next, at: at, appId: appId, tokenId: try token.text(required: 0))
                }
                return .plan(SQLPlan(transitions + writes) { answers in .done(try then(Array(answers.dropFirst(transitions.count)))) })
            })
        }
    }
}
