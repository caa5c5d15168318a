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

    public func unregister(appId: String, installationId: String, now: Date) async throws -> Bool {
        let logger = self.logger
        return try await transaction { db in
            try await Self.lock(db, keys: [Self.installationKey(appId, installationId)], logger: logger)
            guard let row = try await db.rows("""
                SELECT token_id FROM installations WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger).first
            else { return false }
            // The device token and every VoIP and Live Activity token the installation holds.
            let tokenIds = try await Self.otherKindTokens(db, appId: appId, installationId: installationId, logger: logger)
                + [try row[0].decode(String?.self)].compactMap { $0 }
            for tokenId in tokenIds {
                try await Self.transition(db, appId: appId, tokenId: tokenId, event: .revoked(.unregistered), now: now, logger: logger)
            }
            try await db.run("""
                UPDATE installations SET last_seen_at = \(now.timeIntervalSince1970) WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger)
            try await Self.log(db, appId: appId, at: now, kind: "unregistered", installationId: installationId, logger: logger)
            return true
        }
    }

    public func setConsent(appId: String, installationId: String, record: ConsentRecord) async throws -> InstallationSummary? {
        let logger = self.logger
        return try await transaction { db in
            try await Self.lock(db, keys: [Self.installationKey(appId, installationId)], logger: logger)
            guard let row = try await db.rows("""
                SELECT token_id FROM installations WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger).first
            else { return nil }
            let at = record.at.timeIntervalSince1970
            try await db.run("""
                UPDATE installations SET consent = \(record.status.rawValue), consent_source = \(record.source), consent_at = \(at)
                WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger)
            try await db.run("""
                INSERT INTO consent_history (app_id, installation_id, status, source, at)
                VALUES (\(appId), \(installationId), \(record.status.rawValue), \(record.source), \(at))
                """, logger: logger)
            let tokenIds = try await Self.otherKindTokens(db, appId: appId, installationId: installationId, logger: logger)
                + [try row[0].decode(String?.self)].compactMap { $0 }
            for tokenId in tokenIds {
                switch record.status {
                case .revoked:
                    try await Self.transition(db, appId: appId, tokenId: tokenId, event: .revoked(.consentWithdrawn), now: record.at, logger: logger)
                case .granted:
                    try await Self.transition(db, appId: appId, tokenId: tokenId, event: .consentRestored, now: record.at, logger: logger)
                case .denied: break
                }
            }
            return try await Self.installationSummary(db, appId: appId, installationId: installationId, logger: logger)
        }
    }

    public func identify(appId: String, installationId: String, userId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        try await rebind(appId: appId, installationId: installationId, to: userId, now: now)
    }

    public func logout(appId: String, installationId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        try await rebind(appId: appId, installationId: installationId, to: nil, now: now)
    }

    private func rebind(appId: String, installationId: String, to userId: String?, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        let logger = self.logger
        let at = now.timeIntervalSince1970
        let answer: Rebound? = try await transaction { db in
            try await Self.lock(db, keys: [Self.installationKey(appId, installationId)], logger: logger)
            guard let row = try await db.rows("""
                SELECT user_id FROM installations WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger).first
            else { return nil }
            let previous = try row[0].decode(String?.self)
            if previous != userId {
                if let userId {
                    try await db.run("""
                        INSERT INTO users (app_id, user_id, created_at, updated_at) VALUES (\(appId), \(userId), \(at), \(at))
                        ON CONFLICT DO NOTHING
                        """, logger: logger)
                }
                try await db.run("""
                    UPDATE installations SET user_id = \(userId) WHERE app_id = \(appId) AND installation_id = \(installationId)
                    """, logger: logger)
                let kind = userId == nil ? "user_unbound" : (previous == nil ? "user_bound" : "user_moved")
                try await Self.log(db, appId: appId, at: now, kind: kind, installationId: installationId, userId: userId ?? previous,
                                   otherUserId: userId == nil ? nil : previous, logger: logger)
            }
            guard let summary = try await Self.installationSummary(db, appId: appId, installationId: installationId, logger: logger)
            else { return nil }
            return Rebound(summary: summary, previous: previous)
        }
        return answer.map { ($0.summary, $0.previous) }
    }

    /// A rebind's answer, as one `Sendable` value out of the transaction.
    private struct Rebound: Sendable {
        var summary: InstallationSummary
        var previous: String?
    }

    // MARK: - Shared pieces

    static func installationKey(_ appId: String, _ installationId: String) -> String {
        InstallationStatements.lockKey(appId, installationId)
    }

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
        let columns = next.storedColumns
        try await db.run("""
            UPDATE tokens SET status = \(columns.status), status_reason = \(columns.reason),
                status_at = COALESCE(\(columns.at), \(now.timeIntervalSince1970)), successor_id = \(columns.successor)
            WHERE app_id = \(appId) AND id = \(tokenId)
            """, logger: logger)
        return next
    }

    /// The installation's VoIP and Live Activity tokens, live or not: unregistering and consent reach them with the device's.
    static func otherKindTokens(_ db: PostgresConnection, appId: String, installationId: String, logger: Logger) async throws -> [String] {
        try await db.rows("""
            SELECT id FROM tokens WHERE app_id = \(appId) AND installation_id = \(installationId) AND kind <> 'device' ORDER BY id
            """, logger: logger).map { try $0[0].decode(String.self) }
    }

    static func tokenStatus(_ row: PostgresRandomAccessRow) throws -> TokenStatus {
        TokenStatus(status: try row["status"].decode(String.self), reason: try row["status_reason"].decode(String?.self),
                    at: try row["status_at"].decode(Double?.self), successor: try row["successor_id"].decode(String?.self))
    }

    static func log(_ db: PostgresConnection, appId: String, at: Date, kind: String, installationId: String? = nil, tokenId: String? = nil,
                    userId: String? = nil, otherUserId: String? = nil, otherInstallationId: String? = nil, logger: Logger) async throws {
        try await db.run("""
            INSERT INTO registry_log (app_id, at, kind, installation_id, token_id, user_id, other_user_id, other_installation_id)
            VALUES (\(appId), \(at.timeIntervalSince1970), \(kind), \(installationId), \(tokenId), \(userId), \(otherUserId), \(otherInstallationId))
            """, logger: logger)
    }

    static func installationSummary(_ db: PostgresConnection, appId: String, installationId: String,
                                    logger: Logger) async throws -> InstallationSummary? {
        try await db.rows(InstallationStatements.summary(appId: appId, installationId: installationId).query, logger: logger).first?
            .installationSummary()
    }
}
