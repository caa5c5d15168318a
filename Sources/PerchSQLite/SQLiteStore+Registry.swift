import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: RegistryStore {
    public func register(appId: String, _ registration: TokenRegistration, now: Date) async throws -> RegistrationResult {
        let destination = registration.destination
        let vault = self.vault
        let index = vault.blindIndex(appId: appId, platform: destination.platform, identity: destination.identity)
        let previousIndex = registration.previousToken.map {
            vault.blindIndex(appId: appId, platform: destination.platform, identity: $0)
        }
        let material = destination.sealedForm
        let sealed = try vault.seal(material, context: appId)
        let environment: String? = if case .apns(_, let env) = destination { env?.rawValue } else { nil }
        let newTokenId = Self.newId("tok")

        return try await batcher.write { db in
            let installation = try db.fetchOneCached(sql: """
                SELECT user_id, token_id, consent FROM installations WHERE app_id = ? AND installation_id = ?
                """, arguments: [appId, registration.installationId]).map {
                RegistrationPlan.StoredInstallation(userId: $0["user_id"], currentTokenId: $0["token_id"],
                                                    consent: ($0["consent"] as String?).flatMap(ConsentStatus.init(rawValue:)))
            }
            let sameToken = try Self.storedToken(db, appId: appId, blindIndex: index, vault: vault)
            let previousToken = try previousIndex.flatMap { try Self.storedToken(db, appId: appId, blindIndex: $0, vault: vault) }
            let kind = registration.kind
            let currentOfKind = kind == .device ? [] : try String.fetchAll(db, sql: """
                SELECT id FROM tokens WHERE app_id = ? AND installation_id = ? AND kind = ? AND COALESCE(activity_type, '') = ?
                    AND COALESCE(activity_id, '') = ? AND status IN ('active', 'stale')
                """, arguments: [appId, registration.installationId, kind.name.rawValue, kind.activityType ?? "", kind.activityId ?? ""])
            let plan = RegistrationPlan.make(for: registration, installation: installation, sameToken: sameToken,
                                             previousToken: previousToken, currentOfKind: currentOfKind, newTokenId: newTokenId, now: now)

            if let userId = plan.userId {
                try db.executeCached(sql: """
                    INSERT INTO users (app_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (app_id, user_id) DO NOTHING
                    """, arguments: [appId, userId, now.stored, now.stored])
            }
            /// The installation's row, its consent and its consent history.
            func writeInstallation() throws {
                let consentColumns: (String?, String?, Double?)
                if let change = plan.consentChange {
                    consentColumns = (change.rawValue, "registration", now.stored)
                    try db.executeCached(sql: "INSERT INTO consent_history (app_id, installation_id, status, source, at) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [appId, registration.installationId, change.rawValue, "registration", now.stored])
                } else {
                    consentColumns = (nil, nil, nil)
                }
                let attributes = registration.attributes.map { JSONValue.object($0).jsonText }
                try db.executeCached(sql: """
                    INSERT INTO installations (app_id, installation_id, platform, user_id, token_id, app_version, app_version_key, locale,
                                               timezone, consent, consent_source, consent_at, attributes, created_at, last_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (app_id, installation_id) DO UPDATE SET
                        platform = CASE WHEN excluded.token_id IS NULL THEN platform ELSE excluded.platform END,
                        user_id = excluded.user_id, token_id = COALESCE(excluded.token_id, token_id),
                        app_version = COALESCE(excluded.app_version, app_version),
                        app_version_key = CASE WHEN excluded.app_version IS NULL THEN app_version_key ELSE excluded.app_version_key END,
                        locale = COALESCE(excluded.locale, locale),
                        timezone = COALESCE(excluded.timezone, timezone),
                        consent = COALESCE(excluded.consent, consent),
                        consent_source = COALESCE(excluded.consent_source, consent_source),
                        consent_at = COALESCE(excluded.consent_at, consent_at),
                        attributes = COALESCE(excluded.attributes, attributes),
                        last_seen_at = excluded.last_seen_at
                    """, arguments: [appId, registration.installationId, destination.platform.rawValue, plan.userId,
                                     plan.isInstallationToken ? plan.tokenId : nil,
                                     registration.appVersion, registration.appVersion.flatMap(SemanticVersion.init)?.sortKey,
                                     registration.locale, registration.timezone,
                                     consentColumns.0, consentColumns.1, consentColumns.2, attributes, now.stored, now.stored])
                if plan.consentChange == nil, plan.createsInstallation, let carried = plan.consent {
                    // Consent carried over from the installation that held the refreshed token.
                    try db.executeCached(sql: "UPDATE installations SET consent = ?, consent_source = 'carried_over', consent_at = ? WHERE app_id = ? AND installation_id = ?",
                                   arguments: [carried.rawValue, now.stored, appId, registration.installationId])
                    try db.executeCached(sql: "INSERT INTO consent_history (app_id, installation_id, status, source, at) VALUES (?, ?, ?, 'carried_over', ?)",
                                   arguments: [appId, registration.installationId, carried.rawValue, now.stored])
                }
            }
            /// The token's row.
            func writeToken() throws {
                let status = plan.tokenStatus.storedColumns
                if plan.createsToken {
                    try db.executeCached(sql: """
                        INSERT INTO tokens (app_id, id, platform, environment, installation_id, blind_index, sealed, status,
                                            status_reason, status_at, successor_id, created_at, last_seen_at, last_token_update_at,
                                            kind, activity_type, activity_id, expires_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [appId, plan.tokenId, destination.platform.rawValue, environment, registration.installationId,
                                         index, sealed, status.status, status.reason, status.at, status.successor,
                                         now.stored, now.stored, now.stored, kind.name.rawValue, kind.activityType, kind.activityId,
                                         plan.expiresAt?.stored])
                } else {
                    try db.executeCached(sql: """
                        UPDATE tokens SET installation_id = ?, environment = ?, status = ?, status_reason = ?, status_at = ?,
                            successor_id = ?, last_seen_at = ?,
                            sealed = CASE WHEN ? THEN ? ELSE sealed END,
                            last_token_update_at = CASE WHEN ? THEN ? ELSE last_token_update_at END,
                            kind = ?, activity_type = ?, activity_id = ?, expires_at = COALESCE(?, expires_at)
                        WHERE app_id = ? AND id = ?
                        """, arguments: [registration.installationId, environment, status.status, status.reason, status.at,
                                         status.successor, now.stored, plan.materialChanged, sealed, plan.materialChanged,
                                         now.stored, kind.name.rawValue, kind.activityType, kind.activityId, plan.expiresAt?.stored,
                                         appId, plan.tokenId])
                    if !plan.isInstallationToken {
                        // A token registered again under another kind no longer addresses any installation's device.
                        try db.executeCached(sql: "UPDATE installations SET token_id = NULL WHERE app_id = ? AND token_id = ?",
                                             arguments: [appId, plan.tokenId])
                    }
                }
            }
            // Either order leaves the same rows; the rollup triggers work less in this one (RegistrationPlan.installationFirst).
            if plan.installationFirst {
                try writeInstallation()
                try writeToken()
            } else {
                try writeToken()
                try writeInstallation()
            }
            if let movedFrom = plan.movedFrom {
                try db.executeCached(sql: "UPDATE installations SET token_id = NULL WHERE app_id = ? AND installation_id = ? AND token_id = ?",
                               arguments: [appId, movedFrom, plan.tokenId])
                try db.execute(RegistryStatements.log(appId: appId, at: now, kind: "token_moved", installationId: registration.installationId,
                             tokenId: plan.tokenId, otherInstallationId: movedFrom))
            }
            for replaced in plan.replaces {
                try Self.transition(db, appId: appId, tokenId: replaced, event: .replaced(successor: plan.tokenId), now: now)
                try db.execute(RegistryStatements.log(appId: appId, at: now, kind: "token_replaced", installationId: registration.installationId,
                             tokenId: replaced))
            }

            if installation?.userId != plan.userId, let userId = plan.userId {
                try db.execute(RegistryStatements.log(appId: appId, at: now, kind: plan.movedFromUser == nil ? "user_bound" : "user_moved",
                             installationId: registration.installationId, userId: userId, otherUserId: plan.movedFromUser))
            }
            return RegistrationResult(tokenId: plan.tokenId, installationId: registration.installationId, status: plan.tokenStatus,
                                      consent: plan.consent, userId: plan.userId, created: plan.createsToken)
        }
    }

    // MARK: - Shared pieces

    /// Applies a lifecycle event to a stored token; a refused transition leaves the row as it is.
    static func transition(_ db: Database, appId: String, tokenId: String, event: TokenEvent, now: Date) throws {
        guard let row = try db.fetchOneCached(sql: "SELECT status, status_reason, status_at, successor_id FROM tokens WHERE app_id = ? AND id = ?",
                                         arguments: [appId, tokenId])
        else { return }
        guard case .success(let next) = TokenLifecycle.apply(event, to: tokenStatus(row)) else { return }
        try db.execute(TokenStatements.transition(to: next, at: now, appId: appId, tokenId: tokenId))
    }

    static func tokenStatus(_ row: Row) -> TokenStatus {
        TokenStatus(status: row["status"], reason: row["status_reason"], at: row["status_at"], successor: row["successor_id"])
    }

    static func storedToken(_ db: Database, appId: String, blindIndex: Data, vault: TokenVault) throws -> RegistrationPlan.StoredToken? {
        guard let row = try db.fetchOneCached(sql: """
            SELECT t.id, t.installation_id, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id, t.expires_at,
                   i.user_id, i.consent
            FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
            WHERE t.app_id = ? AND t.blind_index = ?
            """, arguments: [appId, blindIndex])
        else { return nil }
        return RegistrationPlan.StoredToken(
            id: row["id"], installationId: row["installation_id"], status: tokenStatus(row),
            material: try vault.open(row["sealed"], context: appId),
            holderUserId: row["user_id"], holderConsent: (row["consent"] as String?).flatMap(ConsentStatus.init(rawValue:)),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(stored:))
        )
    }
}
