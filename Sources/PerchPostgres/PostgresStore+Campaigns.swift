import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: CampaignStore {
    // Segments, campaigns and their history, status transitions, counts and triggers: written once in PerchSQL.

    // MARK: - Resolution

    public func candidates(appId: String, audience: ResolvedAudience, tokens: TokenSelection, now: Date) async throws -> [CampaignPlanner.Candidate] {
        var binds = PostgresBindings()
        binds.append(appId)
        let condition = Self.audienceCondition(audience, now: now, binds: &binds)
        let query = PostgresQuery(unsafeSQL: """
            SELECT t.id, t.installation_id, i.user_id, t.platform, t.status, t.status_reason, t.status_at, t.successor_id,
                   i.consent, i.timezone, t.last_seen_at
            \(AudienceStatements.population(of: tokens, now: now))
            WHERE t.app_id = $1 AND \(AudienceStatements.current(tokens)) AND \(condition)
            """, binds: binds)
        var candidates: [CampaignPlanner.Candidate] = []
        for try await row in try await client.query(query, logger: logger) {
            let (tokenId, installationId, userId, platform, status, reason, statusAt, successor, consent, timezone, lastSeen)
                = try row.decode((String, String, String?, String, String, String?, Double?, String?, String?, String?, Double).self)
            candidates.append(CampaignPlanner.Candidate(
                tokenId: tokenId, installationId: installationId, userId: userId, platform: Platform(rawValue: platform) ?? .apns,
                status: TokenStatus(status: status, reason: reason, at: statusAt, successor: successor),
                consent: consent.flatMap(ConsentStatus.init(rawValue:)), timezone: timezone,
                lastSeenAt: Date(timeIntervalSince1970: lastSeen)))
        }
        return candidates
    }

    /// The SQL condition (over `t`, `i`, `u`) selecting an audience, its values appended to `binds` and numbered after
    /// those already there.
    static func audienceCondition(_ audience: ResolvedAudience, now: Date, binds: inout PostgresBindings) -> String {
        switch audience {
        case .filter(let filter):
            let condition = filter.postgresCondition(now: now, firstParameter: binds.count + 1)
            for binding in condition.bindings {
                switch binding {
                case .text(let text): binds.append(text)
                case .real(let number): binds.append(number)
                case .integer(let number): binds.append(number)
                }
            }
            return "(\(condition.sql))"
        case .users(let ids):
            binds.append(ids)
            return "i.user_id = ANY($\(binds.count)::text[])"
        case .installations(let ids):
            binds.append(ids)
            return "i.installation_id = ANY($\(binds.count)::text[])"
        case .person(let installationId, let userId, let within):
            binds.append(installationId)
            var person = "i.installation_id = $\(binds.count)::text"
            if let userId {
                binds.append(userId)
                person = "(\(person) OR i.user_id = $\(binds.count)::text)"
            }
            guard let within else { return person }
            return "(\(person) AND \(audienceCondition(within, now: now, binds: &binds)))"
        case .slice(let slice, let within):
            let first = binds.count + 1
            let people = AudienceStatements.slice(slice) { "$\(first + $0)::text" }
            for value in people.values { binds.append(value) }
            return "(\(people.sql) AND \(audienceCondition(within, now: now, binds: &binds)))"
        }
    }

    /// One planned delivery row as the enqueue statement's record set reads it.
    struct PlannedRow: Encodable {
        var id: String
        var tokenId: String
        var installationId: String
        var userId: String?
        var platform: String
        var variant: Int?
        var state: String
        var reason: String?
        var reasonDetail: String?
        var dueAt: Double
        var expiresAt: Double?
    }

    /// Rows per enqueue statement.
    static let enqueueBatch = 5_000

    public func enqueue(appId: String, campaignId: String, occurrence: String, planned: [CampaignPlanner.Planned],
                        timeToLive: TimeInterval?, finished: Bool, now: Date) async throws {
        let rows = planned.map { entry -> PlannedRow in
            let candidate = entry.candidate
            let state: String, dueAt: Date, reason: String?, detail: String?
            switch entry.decision {
            case .send(let notBefore): (state, dueAt, reason, detail) = ("pending", notBefore, nil, nil)
            case .exclude(let exclusion): (state, dueAt, reason, detail) = ("suppressed", now, exclusion.code, exclusion.description)
            }
            return PlannedRow(id: Self.newId("dlv"), tokenId: candidate.tokenId, installationId: candidate.installationId,
                              userId: candidate.userId, platform: candidate.platform.rawValue, variant: entry.variant, state: state,
                              reason: reason, reasonDetail: detail, dueAt: dueAt.timeIntervalSince1970,
                              expiresAt: timeToLive.map { dueAt.addingTimeInterval($0).timeIntervalSince1970 })
        }
        let batches = try stride(from: 0, to: rows.count, by: Self.enqueueBatch).map { start in
            try SQLRecordSet.json(Array(rows[start..<min(start + Self.enqueueBatch, rows.count)]))
        }
        let at = now.timeIntervalSince1970
        let logger = self.logger
        try await transaction { db in
            // A rerun resolution (after a crash) finds its rows there already and adds nothing.
            for batch in batches {
                try await db.run("""
                    INSERT INTO deliveries (app_id, id, campaign_id, occurrence, token_id, installation_id, user_id, platform, variant, state,
                                            outcome, reason, reason_detail, due_at, expires_at, created_at, updated_at)
                    SELECT \(appId), r.id, \(campaignId), \(occurrence), r.token_id, r.installation_id, r.user_id, r.platform, r.variant, r.state,
                           CASE WHEN r.state = 'suppressed' THEN 'suppressed' END, r.reason, r.reason_detail, r.due_at, r.expires_at, \(at), \(at)
                    FROM jsonb_to_recordset(\(batch)::jsonb) AS r(id text, token_id text, installation_id text, user_id text, platform text,
                         variant bigint, state text, reason text, reason_detail text, due_at double precision, expires_at double precision)
                    ON CONFLICT (app_id, campaign_id, occurrence, token_id) DO NOTHING
                    """, logger: logger)
            }
            if finished {
                try await db.run("""
                    UPDATE campaigns SET resolved_at = \(at), updated_at = \(at) WHERE app_id = \(appId) AND id = \(campaignId) AND resolved_at IS NULL
                    """, logger: logger)
                try await Self.completeFinished(db, appId: appId, campaignIds: [campaignId], now: now, logger: logger)
            }
        }
    }

    /// Completes the running, resolved, non-triggered campaigns among `campaignIds` that have nothing left to send.
    ///
    /// Two workers recording a campaign's last rows at once must not each see the other's rows still in flight: the
    /// campaigns that may be done are locked first, and the completing statement, starting after the lock, sees every
    /// record committed before it. A campaign with rows still pending needs no lock: whoever records those rows
    /// completes it.
    static func completeFinished(_ db: PostgresConnection, appId: String?, campaignIds: Set<String>, now: Date, logger: Logger) async throws {
        guard !campaignIds.isEmpty else { return }
        let ids = Array(campaignIds).sorted()
        let finishing = try await db.rows("""
            SELECT c.app_id, c.id FROM campaigns c
            WHERE c.id = ANY(\(ids)) AND (\(appId)::text IS NULL OR c.app_id = \(appId)::text) AND c.status = 'running'
              AND c.resolved_at IS NOT NULL AND c.kind <> 'triggered'
              AND NOT \(unescaped: RollupStatements.hasDeliveries(app: "c.app_id", campaign: "c.id", in: ["pending", "retry"]))
            ORDER BY c.app_id, c.id
            FOR UPDATE
            """, logger: logger)
        guard !finishing.isEmpty else { return }
        let apps = try finishing.map { try $0[0].decode(String.self) }
        let campaigns = try finishing.map { try $0[1].decode(String.self) }
        let at = now.timeIntervalSince1970
        try await db.run("""
            UPDATE campaigns c SET status = 'completed', completed_at = \(at), updated_at = \(at)
            FROM unnest(\(apps)::text[], \(campaigns)::text[]) AS f(app_id, id)
            WHERE c.app_id = f.app_id AND c.id = f.id AND c.status = 'running'
              AND NOT \(unescaped: RollupStatements.hasDeliveries(app: "c.app_id", campaign: "c.id", in: ["pending", "retry", "sending"]))
            """, logger: logger)
    }

    // MARK: - Triggers

    /// Starts a waiting send for every running triggered campaign the events trigger (inside the events' transaction).
    /// `events` are the stored events with their installation's user.
    static func startTriggers(_ db: PostgresConnection, appId: String, events: [(event: ClientEvent, userId: String?)], now: Date,
                              logger: Logger) async throws {
        let names = Array(Set(events.compactMap { item -> String? in
            if case .custom(let name) = item.event.type { return name }
            return nil
        })).sorted()
        guard !names.isEmpty else { return }
        var campaignsByEvent: [String: [(id: String, delay: Int)]] = [:]
        for row in try await db.rows("""
            SELECT id, trigger_event, definition::text FROM campaigns
            WHERE app_id = \(appId) AND trigger_event = ANY(\(names)) AND status = 'running' AND kind = 'triggered'
            ORDER BY created_at, id
            """, logger: logger) {
            let (id, event, text) = try row.decode((String, String, String).self)
            guard let definition = try? JSONCoding.decoder().decode(CampaignDefinition.self, from: Data(text.utf8)),
                  let trigger = definition.trigger
            else { continue }
            campaignsByEvent[event, default: []].append((id, trigger.delaySeconds))
        }
        guard !campaignsByEvent.isEmpty else { return }
        var batch = RowBatch(table: "trigger_instances",
                             columns: ["app_id", "id", "campaign_id", "installation_id", "user_id", "event_at", "fire_at", "state", "updated_at"])
        for (event, userId) in events {
            guard case .custom(let name) = event.type else { continue }
            for campaign in campaignsByEvent[name] ?? [] {
                batch.append { binds in
                    binds.append(appId)
                    binds.append(newId("trg"))
                    binds.append(campaign.id)
                    binds.append(event.installationId)
                    binds.append(userId)
                    binds.append(event.occurredAt.timeIntervalSince1970)
                    binds.append(event.occurredAt.addingTimeInterval(Double(campaign.delay)).timeIntervalSince1970)
                    binds.append("waiting")
                    binds.append(now.timeIntervalSince1970)
                }
                if batch.isFull {
                    try await db.run(batch.query, logger: logger)
                    batch = RowBatch(table: batch.table, columns: batch.columns)
                }
            }
        }
        if !batch.isEmpty { try await db.run(batch.query, logger: logger) }
    }
}
