import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: RegistryStore {
    /// A registration made ready here (blind indexes, sealing) and written with whatever other registrations of the app
    /// arrive meanwhile (``GroupCommit``, ``registerTogether(_:)``).
    public func register(appId: String, _ registration: TokenRegistration, now: Date) async throws -> RegistrationResult {
        let pending = try PendingRegistration(appId: appId, registration: registration, now: now, vault: vault)
        return try await registrations.perform(pending, partition: appId, keys: pending.lockKeys) { group in
            await self.writeRegistrations(group)
        }
    }

    // MARK: - Shared pieces

    static func tokenKey(_ appId: String, _ blindIndex: Data) -> String {
        "perch.token:\(appId):\(blindIndex.hexString)"
    }

    /// Applies a lifecycle event to a stored token; a refused transition leaves the row as it is.
    /// Answers the token's status afterwards (`nil` when there is no such token).
    @discardableResult
    static func transition(_ db: PostgresConnection, appId: String, tokenId: String, event: TokenEvent, now: Date,
                           logger: Logger) async throws -> TokenStatus? {
        guard let row = try await db.rows("""
            SELECT status, status_reason, status_at, successor_id FROM tokens WHERE app_id = \(appId) AND id = \(tokenId) FOR UPDATE
            """, logger: logger).first
        else { return nil }
        let current = try tokenStatus(row)
        guard case .success(let next) = TokenLifecycle.apply(event, to: current) else { return current }
        try await db.run(TokenStatements.transition(to: next, at: now, appId: appId, tokenId: tokenId).query, logger: logger)
        return next
    }

    static func tokenStatus(_ row: PostgresRandomAccessRow) throws -> TokenStatus {
        TokenStatus(status: try row["status"].decode(String.self), reason: try row["status_reason"].decode(String?.self),
                    at: try row["status_at"].decode(Double?.self), successor: try row["successor_id"].decode(String?.self))
    }
}
