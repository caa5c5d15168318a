import Foundation
import GRDB
import PerchCore
import PerchStore

extension SQLiteStore {
    // MARK: - The queue

    public func claimDeliveries(limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery] {
        let leaseUntil = now.addingTimeInterval(leaseFor.timeInterval)
        let vault = self.vault
        return try await pool.write { db in
            // A row in `sending` whose lease ran out belongs to a worker that died: it is due again (and, when its
            // campaign was cancelled meanwhile, the worker records it as cancelled).
            let rows = try db.fetchAllCached(sql: """
                SELECT d.id, d.app_id, d.campaign_id, d.attempts, d.variant, d.token_id, d.installation_id, d.user_id, d.expires_at,
                       d.created_at, t.platform, t.environment, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id,
                       i.consent, i.locale, i.timezone, i.app_version, u.attributes
                FROM deliveries d
                JOIN campaigns c ON c.app_id = d.app_id AND c.id = d.campaign_id
                LEFT JOIN tokens t ON t.app_id = d.app_id AND t.id = d.token_id
                LEFT JOIN installations i ON i.app_id = d.app_id AND i.installation_id = d.installation_id
                LEFT JOIN users u ON u.app_id = d.app_id AND u.user_id = i.user_id
                WHERE d.state IN ('pending', 'retry', 'sending') AND d.due_at <= ?
                  AND (c.status = 'running' OR (c.status = 'cancelled' AND d.state = 'sending'))
                  AND NOT EXISTS (SELECT 1 FROM gateway_pauses p WHERE p.app_id = d.app_id AND p.platform = d.platform)
                ORDER BY d.due_at LIMIT ?
                """, arguments: [now.stored, limit])
            for row in rows {
                try db.executeCached(sql: """
                    UPDATE deliveries SET state = 'sending', attempts = attempts + 1, due_at = ?, updated_at = ? WHERE app_id = ? AND id = ?
                    """, arguments: [leaseUntil.stored, now.stored, row["app_id"] as String, row["id"] as String])
            }
            return rows.map { Self.claimed($0, vault: vault) }
        }
    }

    public func extendDeliveryLeases(_ leases: [DeliveryLease], until: Date) async throws -> Int {
        guard !leases.isEmpty else { return 0 }
        return try await pool.write { db in
            var extended = 0
            for lease in leases {
                try db.executeCached(sql: """
                    UPDATE deliveries SET due_at = ? WHERE app_id = ? AND id = ? AND state = 'sending' AND attempts = ?
                    """, arguments: [until.stored, lease.appId, lease.id, lease.attempt])
                extended += db.changesCount
            }
            return extended
        }
    }

    /// A claimed row with its token decrypted; a token that no longer reads gives `destination == nil`.
    static func claimed(_ row: Row, vault: TokenVault) -> ClaimedDelivery {
        let appId: String = row["app_id"]
        var destination: PushDestination?
        if let platform = (row["platform"] as String?).flatMap(Platform.init(rawValue:)), let sealed = row["sealed"] as Data?,
           let material = try? vault.open(sealed, context: appId) {
            destination = PushDestination(platform: platform, environment: (row["environment"] as String?).flatMap(APNsEnvironment.init(rawValue:)),
                                          sealedForm: material)
        }
        let status: TokenStatus = (row["status"] as String?).map { _ in Self.tokenStatus(row) } ?? .expired
        var fields: [String: String] = [:]
        fields["locale"] = row["locale"]
        fields["timezone"] = row["timezone"]
        fields["appVersion"] = row["app_version"]
        var attributes: [String: JSONValue] = [:]
        if let text = row["attributes"] as String?, case .object(let object)? = JSONValue(jsonText: text) { attributes = object }
        return ClaimedDelivery(
            id: row["id"], appId: appId, campaignId: row["campaign_id"], attempt: (row["attempts"] as Int) + 1, variant: row["variant"],
            tokenId: row["token_id"], installationId: row["installation_id"], userId: row["user_id"], destination: destination,
            status: status, consent: (row["consent"] as String?).flatMap(ConsentStatus.init(rawValue:)), userAttributes: attributes,
            installationFields: fields, expiresAt: (row["expires_at"] as Double?).map(Date.init(stored:)),
            createdAt: Date(stored: row["created_at"]))
    }

    public func recordDeliveries(_ updates: [DeliveryUpdate], now: Date) async throws {
        guard !updates.isEmpty else { return }
        try await pool.write { db in
            // An update names its campaign, not its app: look the app up once per campaign, so each row is found by its key.
            var appIds: [String: String] = [:]
            for campaignId in Set(updates.map(\.campaignId)) {
                appIds[campaignId] = try String.fetchOne(db, sql: "SELECT app_id FROM campaigns WHERE id = ?", arguments: [campaignId])
            }
            for update in updates {
                guard let appId = appIds[update.campaignId], let form = update.storedForm(now: now) else { continue }
                switch form {
                case .release(let dueAt):
                    try db.executeCached(sql: """
                        UPDATE deliveries SET state = 'pending', attempts = MAX(0, attempts - 1), due_at = ?, updated_at = ?
                        WHERE app_id = ? AND id = ? AND state = 'sending'
                        """, arguments: [dueAt, now.stored, appId, update.id])
                case .outcome(let row):
                    try db.executeCached(sql: """
                        UPDATE deliveries SET state = ?, outcome = ?, reason = ?, reason_detail = ?, gateway_status = ?,
                            gateway_message_id = COALESCE(?, gateway_message_id), due_at = COALESCE(?, due_at), accepted_at = COALESCE(?, accepted_at),
                            updated_at = ?
                        WHERE app_id = ? AND id = ? AND state = 'sending'
                        """, arguments: [row.state, row.outcome, row.reason, row.reasonDetail, row.gatewayStatus, row.gatewayMessageId,
                                         row.dueAt, row.acceptedAt, now.stored, appId, update.id])
                }
            }
            try Self.completeFinished(db, appId: nil, campaignIds: Set(updates.map(\.campaignId)), now: now)
        }
    }

    public func pauseGateway(appId: String, platform: Platform, reason: String, now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO gateway_pauses (app_id, platform, reason, since) VALUES (?, ?, ?, ?)
                ON CONFLICT (app_id, platform) DO NOTHING
                """, arguments: [appId, platform.rawValue, reason, now.stored])
        }
    }

    public func gatewayPauses(appId: String) async throws -> [GatewayPause] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT platform, reason, since FROM gateway_pauses WHERE app_id = ? ORDER BY platform", arguments: [appId])
                .compactMap { row in
                    Platform(rawValue: row["platform"]).map { GatewayPause(platform: $0, reason: row["reason"], since: Date(stored: row["since"])) }
                }
        }
    }

    // MARK: - Reads

    public func deliveries(appId: String, campaignId: String?, installationId: String?) async throws -> [DeliveryRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM deliveries WHERE app_id = ? AND (? IS NULL OR campaign_id = ?) AND (? IS NULL OR installation_id = ?)
                ORDER BY created_at, id LIMIT 10000
                """, arguments: [appId, campaignId, campaignId, installationId, installationId]).map(Self.delivery)
        }
    }

    static func delivery(_ row: Row) -> DeliveryRecord {
        let occurrence: String = row["occurrence"]
        return DeliveryRecord(
            id: row["id"], campaignId: row["campaign_id"], occurrence: occurrence.isEmpty ? nil : occurrence, tokenId: row["token_id"],
            installationId: row["installation_id"], userId: row["user_id"], platform: Platform(rawValue: row["platform"]) ?? .apns,
            variant: row["variant"], state: row["state"], outcome: row["outcome"], reason: row["reason"], reasonDetail: row["reason_detail"],
            gatewayStatus: row["gateway_status"], gatewayMessageId: row["gateway_message_id"], attempts: row["attempts"],
            dueAt: Date(stored: row["due_at"]), createdAt: Date(stored: row["created_at"]), updatedAt: Date(stored: row["updated_at"]),
            acceptedAt: (row["accepted_at"] as Double?).map(Date.init(stored:)))
    }

    public func campaignCounts(appId: String, campaignId: String, now: Date) async throws -> CampaignCounts {
        try await pool.read { db in
            var counts = CampaignCounts()
            guard let campaign = try Self.campaign(db, appId: appId, id: campaignId) else { return counts }
            let rows = try Row.fetchAll(db, sql: """
                SELECT state, outcome, reason, variant, attempts > 0 AS attempted, COUNT(*) AS n FROM deliveries
                WHERE app_id = ? AND campaign_id = ? GROUP BY state, outcome, reason, variant, attempts > 0
                """, arguments: [appId, campaignId])
            for row in rows {
                let n: Int = row["n"], state: String = row["state"], outcome: String? = row["outcome"], reason: String = row["reason"] ?? "unknown"
                counts.tokens += n
                if row["attempted"] as Bool {
                    counts.attempted += n
                    if let variant = row["variant"] as Int? { counts.variants[String(variant), default: .init()].attempted += n }
                }
                switch state {
                case "pending", "retry", "sending": counts.queued += n
                case "accepted":
                    counts.accepted += n
                    if let variant = row["variant"] as Int? { counts.variants[String(variant), default: .init()].accepted += n }
                case "failed":
                    counts.failedByReason[reason, default: 0] += n
                    if outcome == DeliveryVerdict.Outcome.retired.rawValue { counts.retired += n }
                default: counts.suppressedByReason[reason, default: 0] += n
                }
            }
            guard let started = campaign.startedAt else { return counts }
            let windowEnd = (campaign.completedAt ?? now).addingTimeInterval(campaign.definition.attributionWindow).stored
            let events = try Row.fetchAll(db, sql: """
                SELECT e.type, d.variant, COUNT(*) AS n, COALESCE(SUM(e.value), 0) AS value FROM events e
                LEFT JOIN deliveries d ON d.app_id = e.app_id AND d.id = e.delivery_id
                WHERE e.app_id = ? AND e.campaign_id = ? AND e.type IN ('received', 'opened', 'converted')
                  AND e.occurred_at >= ? AND e.occurred_at <= ?
                GROUP BY e.type, d.variant
                """, arguments: [appId, campaignId, started.stored, windowEnd])
            for row in events {
                let n: Int = row["n"], variant = (row["variant"] as Int?).map(String.init)
                switch row["type"] as String {
                case "received":
                    counts.received += n
                    if let variant { counts.variants[variant, default: .init()].received += n }
                case "opened":
                    counts.opened += n
                    if let variant { counts.variants[variant, default: .init()].opened += n }
                case "converted":
                    counts.converted += n
                    counts.revenue += row["value"] as Double
                    if let variant {
                        counts.variants[variant, default: .init()].converted += n
                        counts.variants[variant, default: .init()].revenue += row["value"] as Double
                    }
                default: break
                }
            }
            // Permission lost after the message: per installation sent to, within 7 days of acceptance.
            let week = 7 * 86_400.0
            counts.revocationsWithin7Days = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT d.installation_id) FROM deliveries d
                WHERE d.app_id = ? AND d.campaign_id = ? AND d.state = 'accepted' AND (
                    EXISTS (SELECT 1 FROM consent_history h WHERE h.app_id = d.app_id AND h.installation_id = d.installation_id
                            AND h.status IN ('revoked', 'denied') AND h.at > d.accepted_at AND h.at <= d.accepted_at + ?)
                    OR EXISTS (SELECT 1 FROM events e WHERE e.app_id = d.app_id AND e.installation_id = d.installation_id
                               AND e.type = 'permission_revoked' AND e.occurred_at > d.accepted_at AND e.occurred_at <= d.accepted_at + ?))
                """, arguments: [appId, campaignId, week, week]) ?? 0
            counts.unregistrationsWithin7Days = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT d.installation_id) FROM deliveries d
                WHERE d.app_id = ? AND d.campaign_id = ? AND d.state = 'accepted'
                  AND EXISTS (SELECT 1 FROM registry_log l WHERE l.app_id = d.app_id AND l.installation_id = d.installation_id
                              AND l.kind = 'unregistered' AND l.at > d.accepted_at AND l.at <= d.accepted_at + ?)
                """, arguments: [appId, campaignId, week]) ?? 0
            // Lift: every person of the audience, in or out of the holdout, and whether they converted in the window.
            let groups = try Row.fetchAll(db, sql: """
                WITH people AS (
                    SELECT CASE WHEN user_id IS NOT NULL THEN 'user:' || user_id ELSE 'installation:' || installation_id END AS person,
                           MAX(COALESCE(reason, '') = 'holdout') AS held_out
                    FROM deliveries WHERE app_id = ? AND campaign_id = ? GROUP BY person
                ), conversions AS (
                    SELECT CASE WHEN user_id IS NOT NULL THEN 'user:' || user_id ELSE 'installation:' || installation_id END AS person,
                           SUM(COALESCE(value, 0)) AS revenue
                    FROM events WHERE app_id = ? AND type = 'converted' AND occurred_at >= ? AND occurred_at <= ? GROUP BY person
                )
                SELECT p.held_out, COUNT(*) AS people, SUM(c.person IS NOT NULL) AS converted, SUM(COALESCE(c.revenue, 0)) AS revenue
                FROM people p LEFT JOIN conversions c ON c.person = p.person GROUP BY p.held_out
                """, arguments: [appId, campaignId, appId, started.stored, windowEnd])
            for row in groups {
                var group = CampaignCounts.GroupCounts()
                group.people = row["people"]
                group.converted = row["converted"] ?? 0
                group.revenue = row["revenue"] ?? 0
                if (row["held_out"] as Bool?) == true { counts.holdout = group } else { counts.treatment = group }
            }
            return counts
        }
    }
}
