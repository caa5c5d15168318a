import Foundation
import Logging
import PerchCore
import PostgresNIO

/// What a group of registrations writes, gathered per table so that each table takes one statement for the whole group
/// (and its statement-level rollup triggers run once): the plans of ``RegistrationPlan`` turned into rows. The rarer
/// writes (a token moved out of another installation, a token replaced, a token registered again under another kind)
/// stay one statement each.
struct RegistrationRows {
    private var users = RowBatch(table: "users", columns: ["app_id", "user_id", "created_at", "updated_at"],
                                 suffix: "ON CONFLICT (app_id, user_id) DO NOTHING")
    private var newTokens = RowBatch(table: "tokens", columns: [
        "app_id", "id", "platform", "environment", "installation_id", "blind_index", "sealed", "status", "status_reason", "status_at",
        "successor_id", "created_at", "last_seen_at", "last_token_update_at", "kind", "activity_type", "activity_id", "expires_at",
    ])
    /// Tokens registered again: the values `UPDATE tokens … FROM (VALUES …)` applies.
    private var seenTokens = RowBatch(table: "tokens", columns: [
        "app_id", "id", "installation_id", "environment", "status", "status_reason", "status_at", "successor_id", "at",
        "material_changed", "sealed", "kind", "activity_type", "activity_id", "expires_at",
    ], casts: ["status_at": "double precision", "expires_at": "double precision", "at": "double precision", "environment": "text",
               "status_reason": "text", "successor_id": "text", "activity_type": "text", "activity_id": "text"])
    private var consent = RowBatch(table: "consent_history", columns: ["app_id", "installation_id", "status", "source", "at"])
    /// Installations written before their tokens, and after them (``RegistrationPlan/installationFirst``).
    private var installationsFirst = Self.installationBatch(), installationsAfter = Self.installationBatch()
    private var log = RowBatch(table: "registry_log", columns: [
        "app_id", "at", "kind", "installation_id", "token_id", "user_id", "other_user_id", "other_installation_id",
    ])
    private var userIds = Set<String>()
    /// Tokens registered again under another kind, which no installation's device slot keeps.
    private var detached: [(appId: String, tokenId: String)] = []
    /// Tokens taken from the installation that held them.
    private var moved: [(appId: String, installationId: String, tokenId: String)] = []
    /// Tokens replaced by their installation's new one.
    private var replaced: [(appId: String, tokenId: String, successor: String, at: Date)] = []

    private static func installationBatch() -> RowBatch {
        RowBatch(table: "installations", columns: [
            "app_id", "installation_id", "platform", "user_id", "token_id", "app_version", "app_version_key", "locale", "timezone",
            "consent", "consent_source", "consent_at", "attributes", "created_at", "last_seen_at",
        ], casts: ["attributes": "jsonb"], suffix: """
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
            """)
    }

    /// Adds the writes of `plan`, made for `item` against an installation that had `storedUserId`.
    mutating func add(_ item: PendingRegistration, plan: RegistrationPlan, storedUserId: String?) {
        let registration = item.registration, appId = item.appId, installationId = item.installationId
        let at = item.now.timeIntervalSince1970, kind = registration.kind
        let status = plan.tokenStatus.storedColumns, expiresAt = plan.expiresAt?.timeIntervalSince1970
        if let userId = plan.userId, userIds.insert(userId).inserted {
            users.append { $0.append(appId); $0.append(userId); $0.append(at); $0.append(at) }
        }
        if plan.createsToken {
            newTokens.append {
                $0.append(appId); $0.append(plan.tokenId); $0.append(registration.platform.rawValue); $0.append(item.environment)
                $0.append(installationId); $0.append(ByteBuffer(bytes: item.index)); $0.append(ByteBuffer(bytes: item.sealed)); $0.append(status.status)
                $0.append(status.reason); $0.append(status.at); $0.append(status.successor); $0.append(at); $0.append(at); $0.append(at)
                $0.append(kind.name.rawValue); $0.append(kind.activityType); $0.append(kind.activityId); $0.append(expiresAt)
            }
        } else {
            seenTokens.append {
                $0.append(appId); $0.append(plan.tokenId); $0.append(installationId); $0.append(item.environment)
                $0.append(status.status); $0.append(status.reason); $0.append(status.at); $0.append(status.successor); $0.append(at)
                $0.append(plan.materialChanged); $0.append(ByteBuffer(bytes: item.sealed)); $0.append(kind.name.rawValue); $0.append(kind.activityType)
                $0.append(kind.activityId); $0.append(expiresAt)
            }
            if !plan.isInstallationToken { detached.append((appId, plan.tokenId)) }
        }
        if let movedFrom = plan.movedFrom {
            moved.append((appId, movedFrom, plan.tokenId))
            addLog(appId: appId, at: at, kind: "token_moved", installationId: installationId, tokenId: plan.tokenId,
                   otherInstallationId: movedFrom)
        }
        for tokenId in plan.replaces {
            replaced.append((appId, tokenId, plan.tokenId, item.now))
            addLog(appId: appId, at: at, kind: "token_replaced", installationId: installationId, tokenId: tokenId)
        }

        // Consent stated now, or carried over to a new installation from the one that held the refreshed token.
        var consentColumns: (status: String?, source: String?, at: Double?) = (nil, nil, nil)
        if let change = plan.consentChange {
            consentColumns = (change.rawValue, "registration", at)
        } else if plan.createsInstallation, let carried = plan.consent {
            consentColumns = (carried.rawValue, "carried_over", at)
        }
        if let status = consentColumns.status, let source = consentColumns.source {
            consent.append { $0.append(appId); $0.append(installationId); $0.append(status); $0.append(source); $0.append(at) }
        }
        let attributes = registration.attributes.map { JSONValue.object($0).jsonText }
        let versionKey = registration.appVersion.flatMap(SemanticVersion.init)?.sortKey
        let row: (inout PostgresBindings) -> Void = {
            $0.append(appId); $0.append(installationId); $0.append(registration.platform.rawValue); $0.append(plan.userId)
            $0.append(plan.isInstallationToken ? plan.tokenId : nil); $0.append(registration.appVersion); $0.append(versionKey)
            $0.append(registration.locale); $0.append(registration.timezone); $0.append(consentColumns.status)
            $0.append(consentColumns.source); $0.append(consentColumns.at); $0.append(attributes); $0.append(at); $0.append(at)
        }
        if plan.installationFirst { installationsFirst.append(row) } else { installationsAfter.append(row) }
        if storedUserId != plan.userId, let userId = plan.userId {
            addLog(appId: appId, at: at, kind: plan.movedFromUser == nil ? "user_bound" : "user_moved", installationId: installationId,
                   userId: userId, otherUserId: plan.movedFromUser)
        }
    }

    private mutating func addLog(appId: String, at: Double, kind: String, installationId: String, tokenId: String? = nil,
                                 userId: String? = nil, otherUserId: String? = nil, otherInstallationId: String? = nil) {
        log.append {
            $0.append(appId); $0.append(at); $0.append(kind); $0.append(installationId); $0.append(tokenId); $0.append(userId)
            $0.append(otherUserId); $0.append(otherInstallationId)
        }
    }

    /// Writes every row, in the order one registration writes them (``RegistrationPlan/installationFirst``).
    func write(_ db: PostgresConnection, logger: Logger) async throws {
        for batch in [users, consent, installationsFirst, newTokens] where !batch.isEmpty {
            try await db.run(batch.query, logger: logger)
        }
        if !seenTokens.isEmpty {
            try await db.run(seenTokens.query { values in
                """
                UPDATE tokens t SET installation_id = v.installation_id, environment = v.environment, status = v.status,
                    status_reason = v.status_reason, status_at = v.status_at, successor_id = v.successor_id, last_seen_at = v.at,
                    sealed = CASE WHEN v.material_changed THEN v.sealed ELSE t.sealed END,
                    last_token_update_at = CASE WHEN v.material_changed THEN v.at ELSE t.last_token_update_at END,
                    kind = v.kind, activity_type = v.activity_type, activity_id = v.activity_id,
                    expires_at = COALESCE(v.expires_at, t.expires_at)
                FROM (VALUES \(values)) AS v (\(seenTokens.columns.joined(separator: ", ")))
                WHERE t.app_id = v.app_id AND t.id = v.id
                """
            }, logger: logger)
        }
        for (appId, tokenId) in detached {
            // A token registered again under another kind no longer addresses any installation's device.
            try await db.run("UPDATE installations SET token_id = NULL WHERE app_id = \(appId) AND token_id = \(tokenId)", logger: logger)
        }
        for (appId, installationId, tokenId) in moved {
            try await db.run("""
                UPDATE installations SET token_id = NULL WHERE app_id = \(appId) AND installation_id = \(installationId) AND token_id = \(tokenId)
                """, logger: logger)
        }
        for (appId, tokenId, successor, at) in replaced {
            try await PostgresStore.transition(db, appId: appId, tokenId: tokenId, event: .replaced(successor: successor), now: at, logger: logger)
        }
        for batch in [installationsAfter, log] where !batch.isEmpty {
            try await db.run(batch.query, logger: logger)
        }
    }
}
