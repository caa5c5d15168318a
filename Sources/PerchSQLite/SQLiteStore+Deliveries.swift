import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore {
    // MARK: - The queue

    /// Claims due rows: one read, then one `UPDATE` for the whole batch (by rowid). Tokens are decrypted after the
    /// transaction, off the single writer.
    public func claimDeliveries(limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery] {
        try await claimDeliveries(of: nil, limit: limit, leaseFor: leaseFor, now: now)
    }

    public func claimDeliveries(appId: String, campaignId: String, limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery] {
        try await claimDeliveries(of: (appId, campaignId), limit: limit, leaseFor: leaseFor, now: now)
    }

    private func claimDeliveries(of campaign: (appId: String, id: String)?, limit: Int, leaseFor: Duration,
                                 now: Date) async throws -> [ClaimedDelivery] {
        let leaseUntil = now.addingTimeInterval(leaseFor.timeInterval)
        let scope = campaign == nil ? "" : "AND d.app_id = ? AND d.campaign_id = ?"
        let arguments: StatementArguments = campaign.map { [now.stored, $0.appId, $0.id, limit] } ?? [now.stored, limit]
        let claims: [(ClaimedDelivery, SealedDestination?)] = try await pool.write { db in
            // A row in `sending` whose lease ran out belongs to a worker that died: it is due again (and, when its
            // campaign was cancelled meanwhile, the worker records it as cancelled).
            let rows = try db.fetchAllCached(sql: """
                SELECT d.rowid AS row_id, d.id, d.app_id, d.campaign_id, d.attempts, d.variant, d.token_id, d.installation_id, d.user_id, d.expires_at,
                       d.created_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
                       i.consent, i.locale, i.timezone, i.app_version, u.attributes
                FROM deliveries d
                JOIN campaigns c ON c.app_id = d.app_id AND c.id = d.campaign_id
                LEFT JOIN tokens t ON t.app_id = d.app_id AND t.id = d.token_id
                LEFT JOIN installations i ON i.app_id = d.app_id AND i.installation_id = d.installation_id
                LEFT JOIN users u ON u.app_id = d.app_id AND u.user_id = i.user_id
                WHERE d.state IN ('pending', 'retry', 'sending') AND d.due_at <= ? \(scope)
                  AND (c.status = 'running' OR (c.status = 'cancelled' AND d.state = 'sending'))
                  AND NOT EXISTS (SELECT 1 FROM gateway_pauses p WHERE p.app_id = d.app_id AND p.platform = d.platform)
                ORDER BY d.due_at LIMIT ?
                """, arguments: arguments)
            guard !rows.isEmpty else { return [] }
            let rowIds = "[" + rows.map { String($0[ClaimColumn.rowId.rawValue] as Int64) }.joined(separator: ",") + "]"
            try db.executeCached(sql: """
                UPDATE deliveries SET state = 'sending', attempts = attempts + 1, due_at = ?, updated_at = ?
                WHERE rowid IN (SELECT value FROM json_each(?))
                """, arguments: [leaseUntil.stored, now.stored, rowIds])
            return rows.map { row in (Self.claimed(row), SealedDestination(row)) }
        }
        let vault = self.vault
        return claims.map { claimed, sealed in
            var claimed = claimed
            claimed.destination = sealed?.open(with: vault, appId: claimed.appId)
            return claimed
        }
    }

    /// A claimed row's token as stored, opened once the claim's transaction is over.
    struct SealedDestination: Sendable {
        var platform: Platform
        var environment: APNsEnvironment?
        var sealed: Data

        init?(_ row: Row) {
            guard let platform = (row[ClaimColumn.platform.rawValue] as String?).flatMap(Platform.init(rawValue:)),
                  let sealed = row[ClaimColumn.sealed.rawValue] as Data?
            else { return nil }
            self.platform = platform
            self.environment = (row[ClaimColumn.environment.rawValue] as String?).flatMap(APNsEnvironment.init(rawValue:))
            self.sealed = sealed
        }

        /// The destination, or nil when the token no longer reads.
        func open(with vault: TokenVault, appId: String) -> PushDestination? {
            guard let material = try? vault.open(sealed, context: appId) else { return nil }
            return PushDestination(platform: platform, environment: environment, sealedForm: material)
        }
    }

    /// The claim's columns, in the order its `SELECT` names them. They are read by position: GRDB finds a column by
    /// name by lowercasing names, which cost a claim about as much as its `UPDATE` (perf, session 29).
    enum ClaimColumn: Int {
        case rowId, id, appId, campaignId, attempts, variant, tokenId, installationId, userId, expiresAt, createdAt, platform, environment,
             sealed, status, statusReason, statusAt, successorId, consent, locale, timezone, appVersion, attributes
    }

    /// A claimed row without its token (`destination == nil`): ``SealedDestination`` opens it.
    static func claimed(_ row: Row) -> ClaimedDelivery {
        func value<T: DatabaseValueConvertible>(_ column: ClaimColumn) -> T { row[column.rawValue] }
        func optional<T: DatabaseValueConvertible>(_ column: ClaimColumn) -> T? { row[column.rawValue] }
        let status: TokenStatus = (optional(.status) as String?).map {
            TokenStatus(status: $0, reason: optional(.statusReason), at: optional(.statusAt), successor: optional(.successorId))
        } ?? .expired
        var fields: [String: String] = [:]
        fields["locale"] = optional(.locale)
        fields["timezone"] = optional(.timezone)
        fields["appVersion"] = optional(.appVersion)
        var attributes: [String: JSONValue] = [:]
        if let text = optional(.attributes) as String?, case .object(let object)? = JSONValue(jsonText: text) { attributes = object }
        return ClaimedDelivery(
            id: value(.id), appId: value(.appId), campaignId: value(.campaignId), attempt: (value(.attempts) as Int) + 1, variant: optional(.variant),
            tokenId: value(.tokenId), installationId: value(.installationId), userId: optional(.userId), destination: nil, status: status,
            consent: (optional(.consent) as String?).flatMap(ConsentStatus.init(rawValue:)), userAttributes: attributes,
            installationFields: fields, expiresAt: (optional(.expiresAt) as Double?).map(Date.init(stored:)), createdAt: Date(stored: value(.createdAt)))
    }

    /// Stores a batch in one write transaction (``DeliveryBatchPlan``): its token retirements, its outcomes in three
    /// statements (releases, other outcomes, plain acceptances; the record set is encoded before the transaction), its
    /// gateway pauses,
    /// and completes the campaigns left with nothing to send. An update finds its row through its campaign
    /// (`campaigns_by_id` gives the app), and only touches a row still `sending`.
    public func recordDeliveries(_ batch: DeliveryBatch, now: Date) async throws -> [DeliveryUpdate] {
        guard !batch.isEmpty else { return [] }
        let plan = try DeliveryBatchPlan(batch, now: now, dialect: dialect)
        return try await pool.write { db in
            var plan = plan
            let facts = try plan.factReads.flatMap { try db.rows($0).map(RetiringToken.init) }
            for statement in try plan.retire(facts) { try db.execute(statement) }
            if let releases = plan.records.releases {
                try db.executeCached(sql: """
                    UPDATE deliveries SET state = 'pending', attempts = MAX(0, attempts - 1), due_at = r.due_at, updated_at = ?
                    FROM (SELECT value ->> 'id' AS id, value ->> 'campaign_id' AS campaign_id, value ->> 'due_at' AS due_at
                          FROM json_each(?)) AS r
                    JOIN campaigns c ON c.id = r.campaign_id
                    WHERE deliveries.app_id = c.app_id AND deliveries.id = r.id AND deliveries.state = 'sending'
                    """, arguments: [now.stored, releases])
            }
            if let outcomes = plan.records.outcomes {
                try db.executeCached(sql: """
                    UPDATE deliveries SET state = r.state, outcome = r.outcome, reason = r.reason, reason_detail = r.reason_detail,
                        gateway_status = r.gateway_status, gateway_message_id = COALESCE(r.gateway_message_id, deliveries.gateway_message_id),
                        due_at = COALESCE(r.due_at, deliveries.due_at), accepted_at = COALESCE(r.accepted_at, deliveries.accepted_at),
                        locale = COALESCE(r.locale, deliveries.locale), updated_at = ?
                    FROM (SELECT value ->> 'id' AS id, value ->> 'campaign_id' AS campaign_id, value ->> 'state' AS state,
                                 value ->> 'outcome' AS outcome, value ->> 'reason' AS reason, value ->> 'reason_detail' AS reason_detail,
                                 value ->> 'gateway_status' AS gateway_status, value ->> 'gateway_message_id' AS gateway_message_id,
                                 value ->> 'due_at' AS due_at, value ->> 'accepted_at' AS accepted_at, value ->> 'locale' AS locale
                          FROM json_each(?)) AS r
                    JOIN campaigns c ON c.id = r.campaign_id
                    WHERE deliveries.app_id = c.app_id AND deliveries.id = r.id AND deliveries.state = 'sending'
                    """, arguments: [now.stored, outcomes])
            }
            if let accepted = plan.records.accepted {
                try db.executeCached(sql: """
                    UPDATE deliveries SET state = 'accepted', outcome = 'accepted', reason = NULL, reason_detail = NULL, gateway_status = NULL,
                        gateway_message_id = COALESCE(r.gateway_message_id, deliveries.gateway_message_id), accepted_at = ?,
                        locale = COALESCE(r.locale, deliveries.locale), updated_at = ?
                    FROM (SELECT value ->> 0 AS id, value ->> 1 AS campaign_id, value ->> 2 AS gateway_message_id, value ->> 3 AS locale
                          FROM json_each(?)) AS r
                    JOIN campaigns c ON c.id = r.campaign_id
                    WHERE deliveries.app_id = c.app_id AND deliveries.id = r.id AND deliveries.state = 'sending'
                    """, arguments: [now.stored, now.stored, accepted])
            }
            for statement in plan.pauses { try db.execute(statement) }
            try Self.completeFinished(db, appId: nil, campaignIds: batch.campaignIds, now: now)
            return plan.recorded
        }
    }
}
