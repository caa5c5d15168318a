import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: RegistryStore {
    public func register(appId: String, _ registration: TokenRegistration, now: Date) async throws -> RegistrationResult {
        let destination = registration.destination
        let vault = self.vault
        let logger = self.logger
        let index = vault.blindIndex(appId: appId, platform: destination.platform, identity: destination.identity)
        let previousIndex = registration.previousToken.map {
            vault.blindIndex(appId: appId, platform: destination.platform, identity: $0)
        }
        let sealed = try vault.seal(destination.sealedForm, context: appId)
        let environment: String? = if case .apns(_, let env) = destination { env?.rawValue } else { nil }
        let newTokenId = Self.newId("tok")
        let at = now.timeIntervalSince1970
        let installationId = registration.installationId

        return try await transaction { db in
            // One writer at a time per installation and per token identity: the plan below reads
            // before it writes.
            try await Self.lock(db, keys: [Self.installationKey(appId, installationId), Self.tokenKey(appId, index)]
                                + (previousIndex.map { [Self.tokenKey(appId, $0)] } ?? []), logger: logger)
            let installation = try await db.rows("""
                SELECT user_id, token_id, consent FROM installations WHERE app_id = \(appId) AND installation_id = \(installationId)
                """, logger: logger).first.map { row in
                let (userId, tokenId, consent) = try row.decode((String?, String?, String?).self)
                return RegistrationPlan.StoredInstallation(userId: userId, currentTokenId: tokenId, consent: consent.flatMap(ConsentStatus.init(rawValue:)))
            }
            let sameToken = try await Self.storedToken(db, appId: appId, blindIndex: index, vault: vault, logger: logger)
            var previousToken: RegistrationPlan.StoredToken?
            if let previousIndex {
                previousToken = try await Self.storedToken(db, appId: appId, blindIndex: previousIndex, vault: vault, logger: logger)
            }
            let kind = registration.kind
            var currentOfKind: [String] = []
            if kind != .device {
                currentOfKind = try await db.rows("""
                    SELECT id FROM tokens WHERE app_id = \(appId) AND installation_id = \(installationId) AND kind = \(kind.name.rawValue)
                        AND COALESCE(activity_type, '') = \(kind.activityType ?? "") AND COALESCE(activity_id, '') = \(kind.activityId ?? "")
                        AND status IN ('active', 'stale')
                    """, logger: logger).map { try $0[0].decode(String.self) }
            }
            let plan = RegistrationPlan.make(for: registration, installation: installation, sameToken: sameToken,
                                             previousToken: previousToken, currentOfKind: currentOfKind, newTokenId: newTokenId, now: now)
            let expiresAt = plan.expiresAt?.timeIntervalSince1970
            let installationTokenId = plan.isInstallationToken ? plan.tokenId : nil

            if let userId = plan.userId {
                try await db.run("""
                    INSERT INTO users (app_id, user_id, created_at, updated_at) VALUES (\(appId), \(userId), \(at), \(at))
                    ON CONFLICT (app_id, user_id) DO NOTHING
                    """, logger: logger)
            }
            let status = plan.tokenStatus.storedColumns
            if plan.createsToken {
                try await db.run("""
                    INSERT INTO tokens (app_id, id, platform, environment, installation_id, blind_index, sealed, status,
                                        status_reason, status_at, successor_id, created_at, last_seen_at, last_token_update_at,
                                        kind, activity_type, activity_id, expires_at)
                    VALUES (\(appId), \(plan.tokenId), \(destination.platform.rawValue), \(environment), \(installationId), \(index),
                            \(sealed), \(status.status), \(status.reason), \(status.at), \(status.successor), \(at), \(at), \(at),
                            \(kind.name.rawValue), \(kind.activityType), \(kind.activityId), \(expiresAt))
                    """, logger: logger)
            } else {
                try await db.run("""
                    UPDATE tokens SET installation_id = \(installationId), environment = \(environment), status = \(status.status),
                        status_reason = \(status.reason), status_at = \(status.at), successor_id = \(status.successor),
                        last_seen_at = \(at),
                        sealed = CASE WHEN \(plan.materialChanged) THEN \(sealed) ELSE sealed END,
                        last_token_update_at = CASE WHEN \(plan.materialChanged) THEN \(at) ELSE last_token_update_at END,
                        kind = \(kind.name.rawValue), activity_type = \(kind.activityType), activity_id = \(kind.activityId),
                        expires_at = COALESCE(\(expiresAt), expires_at)
                    WHERE app_id = \(appId) AND id = \(plan.tokenId)
                    """, logger: logger)
                if !plan.isInstallationToken {
                    // A token registered again under another kind no longer addresses any installation's device.
                    try await db.run("""
                        UPDATE installations SET token_id = NULL WHERE app_id = \(appId) AND token_id = \(plan.tokenId)
                        """, logger: logger)
                }
            }
            if let movedFrom = plan.movedFrom {
                try await db.run("""
                    UPDATE installations SET token_id = NULL WHERE app_id = \(appId) AND installation_id = \(movedFrom) AND token_id = \(plan.tokenId)
                    """, logger: logger)
                try await Self.log(db, appId: appId, at: now, kind: "token_moved", installationId: installationId,
                                   tokenId: plan.tokenId, otherInstallationId: movedFrom, logger: logger)
            }
            for replaced in plan.replaces {
                try await Self.transition(db, appId: appId, tokenId: replaced, event: .replaced(successor: plan.tokenId), now: now, logger: logger)
                try await Self.log(db, appId: appId, at: now, kind: "token_replaced", installationId: installationId,
                                   tokenId: replaced, logger: logger)
            }

            var consentColumns: (status: String?, source: String?, at: Double?) = (nil, nil, nil)
            if let change = plan.consentChange {
                consentColumns = (change.rawValue, "registration", at)
                try await db.run("""
                    INSERT INTO consent_history (app_id, installation_id, status, source, at)
                    VALUES (\(appId), \(installationId), \(change.rawValue), 'registration', \(at))
                    """, logger: logger)
            }
            let attributes = registration.attributes.map { JSONValue.object($0).jsonText }
            let versionKey = registration.appVersion.flatMap(SemanticVersion.init)?.sortKey
            try await db.run("""
                INSERT INTO installations (app_id, installation_id, platform, user_id, token_id, app_version, app_version_key, locale,
                                           timezone, consent, consent_source, consent_at, attributes, created_at, last_seen_at)
                VALUES (\(appId), \(installationId), \(destination.platform.rawValue), \(plan.userId), \(installationTokenId),
                        \(registration.appVersion), \(versionKey), \(registration.locale), \(registration.timezone),
                        \(consentColumns.status), \(consentColumns.source), \(consentColumns.at), \(attributes)::jsonb, \(at), \(at))
                ON CONFLICT (app_id, installation_id) DO UPDATE SET
                    platform = CASE WHEN excluded.token_id IS NULL THEN installations.platform ELSE excluded.platform END,
                    user_id = excluded.user_id, token_id = COALESCE(excluded.token_id, installations.token_id),
                    app_version = COALESCE(excluded.app_version, installations.app_version),
                    app_version_key = CASE WHEN excluded.app_version IS NULL THEN installations.app_version_key ELSE excluded.app_version_key END,
                    locale = COALESCE(excluded.locale, installations.locale),
                    timezone = COALESCE(excluded.timezone, installations.timezone),
                    consent = COALESCE(excluded.consent, installations.consent),
                    consent_source = COALESCE(excluded.consent_source, installations.consent_source),
                    consent_at = COALESCE(excluded.consent_at, installations.consent_at),
                    attributes = COALESCE(excluded.attributes, installations.attributes),
                    last_seen_at = excluded.last_seen_at
                """, logger: logger)
            if plan.consentChange == nil, plan.createsInstallation, let carried = plan.consent {
                // Consent carried over from the installation that held the refreshed token.
                try await db.run("""
                    UPDATE installations SET consent = \(carried.rawValue), consent_source = 'carried_over', consent_at = \(at)
                    WHERE app_id = \(appId) AND installation_id = \(installationId)
                    """, logger: logger)
                try await db.run("""
                    INSERT INTO consent_history (app_id, installation_id, status, source, at)
                    VALUES (\(appId), \(installationId), \(carried.rawValue), 'carried_over', \(at))
                    """, logger: logger)
            }
            if installation?.userId != plan.userId, let userId = plan.userId {
                try await Self.log(db, appId: appId, at: now, kind: plan.movedFromUser == nil ? "user_bound" : "user_moved",
                                   installationId: installationId, userId: userId, otherUserId: plan.movedFromUser, logger: logger)
            }
            return RegistrationResult(tokenId: plan.tokenId, installationId: installationId, status: plan.tokenStatus,
                                      consent: plan.consent, userId: plan.userId, created: plan.createsToken)
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

    public func installation(appId: String, installationId: String) async throws -> InstallationSummary? {
        try await rows("""
            SELECT \(unescaped: Self.installationColumns) FROM installations i
            LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = \(appId) AND i.installation_id = \(installationId)
            """).first.map(Self.installationSummary)
    }

    public func consentHistory(appId: String, installationId: String) async throws -> [ConsentRecord] {
        try await Self.consentHistory(rows("""
            SELECT status, source, at FROM consent_history WHERE app_id = \(appId) AND installation_id = \(installationId) ORDER BY seq
            """))
    }

    public func currentDestination(appId: String, installationId: String) async throws -> (tokenId: String, destination: PushDestination, status: TokenStatus)? {
        guard let row = try await rows("""
            SELECT t.id, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id
            FROM installations i JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = \(appId) AND i.installation_id = \(installationId)
            """).first
        else { return nil }
        let (id, platformName, environment, sealed) = try (row["id"].decode(String.self), row["platform"].decode(String.self),
                                                           row["environment"].decode(String?.self), row["sealed"].decode(Data.self))
        guard let platform = Platform(rawValue: platformName),
              let destination = PushDestination(platform: platform, environment: environment.flatMap(APNsEnvironment.init(rawValue:)),
                                                sealedForm: try vault.open(sealed, context: appId))
        else { return nil }
        return (id, destination, try Self.tokenStatus(row))
    }

    public func tokenId(appId: String, destination: PushDestination) async throws -> String? {
        let index = vault.blindIndex(appId: appId, platform: destination.platform, identity: destination.identity)
        return try await rows("SELECT id FROM tokens WHERE app_id = \(appId) AND blind_index = \(index)").first
            .map { try $0[0].decode(String.self) }
    }

    @discardableResult
    // MARK: - Shared pieces

    static func installationKey(_ appId: String, _ installationId: String) -> String {
        "perch.installation:\(appId):\(installationId)"
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

    static func storedToken(_ db: PostgresConnection, appId: String, blindIndex: Data, vault: TokenVault,
                            logger: Logger) async throws -> RegistrationPlan.StoredToken? {
        guard let row = try await db.rows("""
            SELECT t.id, t.installation_id, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id, t.expires_at,
                   i.user_id, i.consent
            FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
            WHERE t.app_id = \(appId) AND t.blind_index = \(blindIndex)
            """, logger: logger).first
        else { return nil }
        return RegistrationPlan.StoredToken(
            id: try row["id"].decode(String.self), installationId: try row["installation_id"].decode(String?.self),
            status: try tokenStatus(row), material: try vault.open(try row["sealed"].decode(Data.self), context: appId),
            holderUserId: try row["user_id"].decode(String?.self),
            holderConsent: try row["consent"].decode(String?.self).flatMap(ConsentStatus.init(rawValue:)),
            expiresAt: try row["expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        )
    }

    static func log(_ db: PostgresConnection, appId: String, at: Date, kind: String, installationId: String? = nil, tokenId: String? = nil,
                    userId: String? = nil, otherUserId: String? = nil, otherInstallationId: String? = nil, logger: Logger) async throws {
        try await db.run("""
            INSERT INTO registry_log (app_id, at, kind, installation_id, token_id, user_id, other_user_id, other_installation_id)
            VALUES (\(appId), \(at.timeIntervalSince1970), \(kind), \(installationId), \(tokenId), \(userId), \(otherUserId), \(otherInstallationId))
            """, logger: logger)
    }

    static let installationColumns = """
        i.installation_id, i.platform, i.user_id, i.token_id, i.app_version, i.locale, i.timezone, i.consent, i.consent_source,
        i.consent_at, i.created_at, i.last_seen_at, t.environment, t.status, t.status_reason, t.status_at, t.successor_id,
        t.last_token_update_at
        """

    static func installationSummary(_ db: PostgresConnection, appId: String, installationId: String,
                                    logger: Logger) async throws -> InstallationSummary? {
        try await db.rows("""
            SELECT \(unescaped: installationColumns) FROM installations i
            LEFT JOIN tokens t ON t.app_id = i.app_id AND t.id = i.token_id
            WHERE i.app_id = \(appId) AND i.installation_id = \(installationId)
            """, logger: logger).first.map(installationSummary)
    }

    static func installationSummary(_ row: PostgresRandomAccessRow) throws -> InstallationSummary {
        let consent: ConsentRecord? = try row["consent"].decode(String?.self).flatMap(ConsentStatus.init(rawValue:)).map {
            ConsentRecord(status: $0, source: try row["consent_source"].decode(String?.self) ?? "",
                          at: Date(timeIntervalSince1970: try row["consent_at"].decode(Double?.self) ?? 0))
        }
        let hasToken = try row["status"].decode(String?.self) != nil
        return InstallationSummary(
            installationId: try row["installation_id"].decode(String.self),
            platform: Platform(rawValue: try row["platform"].decode(String.self)) ?? .apns,
            userId: try row["user_id"].decode(String?.self), tokenId: try row["token_id"].decode(String?.self),
            tokenStatus: hasToken ? try tokenStatus(row) : nil,
            environment: try row["environment"].decode(String?.self).flatMap(APNsEnvironment.init(rawValue:)),
            consent: consent, appVersion: try row["app_version"].decode(String?.self), locale: try row["locale"].decode(String?.self),
            timezone: try row["timezone"].decode(String?.self),
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
            lastSeenAt: Date(timeIntervalSince1970: try row["last_seen_at"].decode(Double.self)),
            lastTokenUpdateAt: try row["last_token_update_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
        )
    }

    static func consentHistory(_ rows: [PostgresRandomAccessRow]) throws -> [ConsentRecord] {
        try rows.compactMap { row in
            try ConsentStatus(rawValue: row["status"].decode(String.self)).map {
                ConsentRecord(status: $0, source: try row["source"].decode(String.self),
                              at: Date(timeIntervalSince1970: try row["at"].decode(Double.self)))
            }
        }
    }
}
