import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore {
    // MARK: - The queue

    /// Claims due rows in one statement: `FOR UPDATE OF d SKIP LOCKED` lets any number of processes claim at once, each
    /// passing over the rows another is claiming, and the claimed rows' `due_at` becomes the lease's end, so no one
    /// else sees them due until it runs out. A row whose lease ran out (`sending`, due again) belongs to a worker that
    /// died and is claimed again; when its campaign was cancelled meanwhile, the worker records it as cancelled.
    /// Tokens are decrypted after the statement, outside any transaction.
    ///
    /// The due rows are found by `perch_due_deliveries` (schema migration 16), planned so that it walks them in due
    /// order and stops at the limit whatever the statistics say; the update reaches them through the key (migration 19).
    /// The statement is prepared once per connection (``ClaimStatement``).
    public func claimDeliveries(limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let at = now.timeIntervalSince1970
        let leaseUntil = now.addingTimeInterval(leaseFor.timeInterval).timeIntervalSince1970
        var claimed: [ClaimedDelivery] = []
        for try await row in try await client.execute(ClaimStatement(at: at, limit: limit, leaseUntil: leaseUntil), logger: logger) {
            claimed.append(try Self.claimed(row, vault: vault))
        }
        return claimed
    }

    public func claimDeliveries(appId: String, campaignId: String, limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        let leaseUntil = now.addingTimeInterval(leaseFor.timeInterval).timeIntervalSince1970
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(now.timeIntervalSince1970)
        bindings.append(limit)
        bindings.append(leaseUntil)
        bindings.append(appId)
        bindings.append(campaignId)
        let query = PostgresQuery(unsafeSQL: ClaimStatement.claiming(due: ClaimStatement.campaignDue), binds: bindings)
        return try await self.rows(query).map { try Self.claimed($0, vault: vault) }
    }

    /// One statement for the whole batch; a row's `attempts` names the claim that holds it.
    /// A claimed row with its token decrypted; a token that no longer reads gives `destination == nil`.
    static func claimed(_ row: PostgresRandomAccessRow, vault: TokenVault) throws -> ClaimedDelivery {
        let appId = try row["app_id"].decode(String.self)
        var destination: PushDestination?
        if let platform = try row["platform"].decode(String?.self).flatMap(Platform.init(rawValue:)),
           let sealed = try row["sealed"].decode(Data?.self), let material = try? vault.open(sealed, context: appId) {
            destination = PushDestination(platform: platform,
                                          environment: try row["environment"].decode(String?.self).flatMap(APNsEnvironment.init(rawValue:)),
                                          sealedForm: material)
        }
        let status: TokenStatus = try row["status"].decode(String?.self) == nil ? .expired : try tokenStatus(row)
        var fields: [String: String] = [:]
        fields["locale"] = try row["locale"].decode(String?.self)
        fields["timezone"] = try row["timezone"].decode(String?.self)
        fields["appVersion"] = try row["app_version"].decode(String?.self)
        var attributes: [String: JSONValue] = [:]
        if let text = try row["attributes"].decode(String?.self), case .object(let object)? = JSONValue(jsonText: text) { attributes = object }
        return ClaimedDelivery(
            id: try row["id"].decode(String.self), appId: appId, campaignId: try row["campaign_id"].decode(String.self),
            attempt: try row["attempts"].decode(Int.self), variant: try row["variant"].decode(Int?.self),
            tokenId: try row["token_id"].decode(String.self), installationId: try row["installation_id"].decode(String.self),
            userId: try row["user_id"].decode(String?.self), destination: destination, status: status,
            consent: try row["consent"].decode(String?.self).flatMap(ConsentStatus.init(rawValue:)), userAttributes: attributes,
            installationFields: fields, expiresAt: try row["expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)))
    }

    /// Stores a batch in one transaction (``DeliveryBatchPlan``): its token retirements (their rows locked in id
    /// order first), its outcomes in two statements (releases, then outcomes), its gateway pauses, and completes the
    /// campaigns left with nothing to send. An update finds its row through its campaign (`campaigns_by_id` gives the
    /// app), and only touches a row still `sending`.
    public func recordDeliveries(_ batch: DeliveryBatch, now: Date) async throws -> [DeliveryUpdate] {
        guard !batch.isEmpty else { return [] }
        let plan = try DeliveryBatchPlan(batch, now: now, dialect: dialect)
        let at = now.timeIntervalSince1970
        let logger = self.logger
        return try await transaction { db in
            var plan = plan
            var facts: [RetiringToken] = []
            for read in plan.factReads {
                facts += try await db.rows(read.query, logger: logger).map { try RetiringToken($0) }
            }
            for statement in try plan.retire(facts) { try await db.run(statement.query, logger: logger) }
            if let releaseSet = plan.records.releases {
                try await db.run("""
                    UPDATE deliveries d SET state = 'pending', attempts = GREATEST(0, d.attempts - 1), due_at = r.due_at, updated_at = \(at)
                    FROM jsonb_to_recordset(\(releaseSet)::jsonb) AS r(id text, campaign_id text, due_at double precision)
                    JOIN campaigns c ON c.id = r.campaign_id
                    WHERE d.app_id = c.app_id AND d.id = r.id AND d.state = 'sending'
                    """, logger: logger)
            }
            if let outcomeSet = plan.records.outcomes {
                try await db.run("""
                    UPDATE deliveries d SET state = r.state, outcome = r.outcome, reason = r.reason, reason_detail = r.reason_detail,
                        gateway_status = r.gateway_status, gateway_message_id = COALESCE(r.gateway_message_id, d.gateway_message_id),
                        due_at = COALESCE(r.due_at, d.due_at), accepted_at = COALESCE(r.accepted_at, d.accepted_at),
                        locale = COALESCE(r.locale, d.locale), updated_at = \(at)
                    FROM jsonb_to_recordset(\(outcomeSet)::jsonb) AS r(id text, campaign_id text, state text, outcome text, reason text,
                         reason_detail text, gateway_status bigint, gateway_message_id text, due_at double precision, accepted_at double precision,
                         locale text)
                    JOIN campaigns c ON c.id = r.campaign_id
                    WHERE d.app_id = c.app_id AND d.id = r.id AND d.state = 'sending'
                    """, logger: logger)
            }
            for statement in plan.pauses { try await db.run(statement.query, logger: logger) }
            try await Self.completeFinished(db, appId: nil, campaignIds: batch.campaignIds, now: now, logger: logger)
            return plan.recorded
        }
    }
}
