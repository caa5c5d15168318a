import Foundation
import Logging
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore: CampaignStore {
    // MARK: - Segments

    public func createSegment(appId: String, name: String, filter: String, now: Date) async throws -> SegmentRecord {
        let segment = SegmentRecord(id: Self.newId("seg"), name: name, filter: filter, createdAt: now, updatedAt: now)
        let at = now.timeIntervalSince1970
        try await client.query("""
            INSERT INTO segments (app_id, id, name, filter, created_at, updated_at) VALUES (\(appId), \(segment.id), \(name), \(filter), \(at), \(at))
            """, logger: logger)
        return segment
    }

    public func segment(appId: String, id: String) async throws -> SegmentRecord? {
        try await rows("SELECT id, name, filter, created_at, updated_at FROM segments WHERE app_id = \(appId) AND id = \(id)")
            .first.map(Self.segment)
    }

    public func segments(appId: String) async throws -> [SegmentRecord] {
        try await rows("SELECT id, name, filter, created_at, updated_at FROM segments WHERE app_id = \(appId) ORDER BY created_at")
            .map(Self.segment)
    }

    public func updateSegment(appId: String, id: String, name: String, filter: String, now: Date) async throws -> SegmentRecord? {
        try await rows("""
            UPDATE segments SET name = \(name), filter = \(filter), updated_at = \(now.timeIntervalSince1970)
            WHERE app_id = \(appId) AND id = \(id) RETURNING id, name, filter, created_at, updated_at
            """).first.map(Self.segment)
    }

    static func segment(_ row: PostgresRandomAccessRow) throws -> SegmentRecord {
        let (id, name, filter, created, updated) = try row.decode((String, String, String, Double, Double).self)
        return SegmentRecord(id: id, name: name, filter: filter, createdAt: Date(timeIntervalSince1970: created),
                             updatedAt: Date(timeIntervalSince1970: updated))
    }

    // MARK: - Campaigns

    public func createCampaign(appId: String, definition: CampaignDefinition, kind: CampaignKind, now: Date) async throws -> CampaignRecord {
        let record = CampaignRecord(id: Self.newId(kind == .transactional ? "snd" : "cmp"), appId: appId, kind: kind, definition: definition,
                                    status: .draft, createdAt: now, updatedAt: now)
        let text = try Self.definitionText(definition)
        let at = now.timeIntervalSince1970
        try await client.query("""
            INSERT INTO campaigns (app_id, id, kind, definition, status, trigger_event, created_at, updated_at)
            VALUES (\(appId), \(record.id), \(kind.rawValue), \(text)::jsonb, \(record.status.rawValue), \(definition.trigger?.event), \(at), \(at))
            """, logger: logger)
        return record
    }

    public func updateCampaign(appId: String, id: String, definition: CampaignDefinition, now: Date) async throws -> CampaignRecord? {
        let text = try Self.definitionText(definition)
        let at = now.timeIntervalSince1970
        let logger = self.logger
        return try await transaction { db in
            guard let current = try await Self.lockedCampaign(db, appId: appId, id: id, logger: logger) else { return nil }
            guard current.status.isEditable else {
                throw PerchError(.conflict, "a \(current.status.rawValue) campaign cannot be changed", field: "status")
            }
            return try await db.rows("""
                UPDATE campaigns SET definition = \(text)::jsonb, trigger_event = \(definition.trigger?.event), updated_at = \(at)
                WHERE app_id = \(appId) AND id = \(id) RETURNING \(unescaped: Self.campaignColumns)
                """, logger: logger).first.map(Self.campaign)
        }
    }

    public func campaign(appId: String, id: String) async throws -> CampaignRecord? {
        try await rows("SELECT \(unescaped: Self.campaignColumns) FROM campaigns WHERE app_id = \(appId) AND id = \(id)").first.map(Self.campaign)
    }

    public func campaigns(appId: String) async throws -> [CampaignRecord] {
        try await rows("""
            SELECT \(unescaped: Self.campaignColumns) FROM campaigns WHERE app_id = \(appId) AND kind <> 'transactional' ORDER BY created_at DESC
            """).map(Self.campaign)
    }

    public func startCampaign(appId: String, id: String, startAt: Date, now: Date) async throws -> CampaignRecord? {
        let at = now.timeIntervalSince1970
        let start = startAt.timeIntervalSince1970
        let logger = self.logger
        return try await transaction { db in
            guard let current = try await Self.lockedCampaign(db, appId: appId, id: id, logger: logger) else { return nil }
            guard current.status.canStart else {
                throw PerchError(.conflict, "the campaign is \(current.status.rawValue); only a draft can be sent", field: "status")
            }
            let update: PostgresQuery
            if current.kind == .triggered {
                // A triggered campaign has no audience to resolve: it listens for its event from now on.
                update = """
                    UPDATE campaigns SET status = 'running', start_at = \(at), started_at = \(at), resolved_at = \(at), updated_at = \(at)
                    WHERE app_id = \(appId) AND id = \(id) RETURNING \(unescaped: Self.campaignColumns)
                    """
            } else if startAt <= now {
                update = """
                    UPDATE campaigns SET status = 'running', start_at = \(start), started_at = \(at), updated_at = \(at)
                    WHERE app_id = \(appId) AND id = \(id) RETURNING \(unescaped: Self.campaignColumns)
                    """
            } else {
                update = """
                    UPDATE campaigns SET status = 'scheduled', start_at = \(start), updated_at = \(at)
                    WHERE app_id = \(appId) AND id = \(id) RETURNING \(unescaped: Self.campaignColumns)
                    """
            }
            return try await db.rows(update, logger: logger).first.map(Self.campaign)
        }
    }

    public func cancelCampaign(appId: String, id: String, now: Date) async throws -> CampaignRecord? {
        let at = now.timeIntervalSince1970
        let logger = self.logger
        return try await transaction { db in
            guard let current = try await Self.lockedCampaign(db, appId: appId, id: id, logger: logger) else { return nil }
            guard current.status.canCancel else {
                throw PerchError(.conflict, "the campaign is \(current.status.rawValue) and cannot be cancelled", field: "status")
            }
            let record = try await db.rows("""
                UPDATE campaigns SET status = 'cancelled', cancelled_at = \(at), updated_at = \(at)
                WHERE app_id = \(appId) AND id = \(id) RETURNING \(unescaped: Self.campaignColumns)
                """, logger: logger).first.map(Self.campaign)
            try await db.run("""
                UPDATE deliveries SET state = 'suppressed', outcome = 'suppressed', reason = 'cancelled',
                    reason_detail = 'the campaign was cancelled', updated_at = \(at)
                WHERE app_id = \(appId) AND campaign_id = \(id) AND state IN ('pending', 'retry')
                """, logger: logger)
            try await db.run("""
                UPDATE trigger_instances SET state = 'cancelled', updated_at = \(at) WHERE app_id = \(appId) AND campaign_id = \(id) AND state = 'waiting'
                """, logger: logger)
            return record
        }
    }

    public func campaignsToResolve(now: Date) async throws -> [CampaignRecord] {
        let at = now.timeIntervalSince1970
        // One statement: scheduled campaigns whose time has come turn running (their new rows come back from RETURNING),
        // and running ones still unresolved (a resolution cut short) come from the statement's snapshot, which does not
        // see the update, so no campaign is answered twice.
        return try await rows("""
            WITH started AS (
                UPDATE campaigns SET status = 'running', started_at = COALESCE(started_at, \(at)), updated_at = \(at)
                WHERE resolved_at IS NULL AND status = 'scheduled' AND start_at <= \(at)
                RETURNING \(unescaped: Self.campaignColumns)
            )
            SELECT * FROM started
            UNION ALL
            SELECT \(unescaped: Self.campaignColumns) FROM campaigns WHERE resolved_at IS NULL AND status = 'running' AND start_at <= \(at)
            ORDER BY start_at
            """).map(Self.campaign)
    }

    static let campaignColumns = """
        app_id, id, kind, definition::text AS definition, status, created_at, updated_at, start_at, started_at, resolved_at, completed_at, cancelled_at
        """

    /// The campaign, its row locked until the transaction ends.
    static func lockedCampaign(_ db: PostgresConnection, appId: String, id: String, logger: Logger) async throws -> CampaignRecord? {
        try await db.rows("SELECT \(unescaped: campaignColumns) FROM campaigns WHERE app_id = \(appId) AND id = \(id) FOR UPDATE",
                          logger: logger).first.map(campaign)
    }

    static func campaign(_ row: PostgresRandomAccessRow) throws -> CampaignRecord {
        func time(_ column: String) throws -> Date? { try row[column].decode(Double?.self).map(Date.init(timeIntervalSince1970:)) }
        let text = try row["definition"].decode(String.self)
        let definition = (try? JSONCoding.decoder().decode(CampaignDefinition.self, from: Data(text.utf8)))
            ?? CampaignDefinition(name: "(unreadable)", audience: .init(), message: PushMessage(title: "", body: ""))
        return CampaignRecord(
            id: try row["id"].decode(String.self), appId: try row["app_id"].decode(String.self),
            kind: CampaignKind(rawValue: try row["kind"].decode(String.self)) ?? .campaign, definition: definition,
            status: CampaignStatus(rawValue: try row["status"].decode(String.self)) ?? .draft,
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self)),
            updatedAt: Date(timeIntervalSince1970: try row["updated_at"].decode(Double.self)),
            startAt: try time("start_at"), startedAt: try time("started_at"), resolvedAt: try time("resolved_at"),
            completedAt: try time("completed_at"), cancelledAt: try time("cancelled_at"))
    }

    static func definitionText(_ definition: CampaignDefinition) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(definition), as: UTF8.self)
    }

    // MARK: - Resolution

    public func candidates(appId: String, audience: ResolvedAudience, now: Date) async throws -> [CampaignPlanner.Candidate] {
        var binds = PostgresBindings()
        binds.append(appId)
        let condition = Self.audienceCondition(audience, now: now, binds: &binds)
        let query = PostgresQuery(unsafeSQL: """
            SELECT t.id, t.installation_id, i.user_id, t.platform, t.status, t.status_reason, t.status_at, t.successor_id,
                   i.consent, i.timezone, t.last_seen_at
            \(Self.audienceFrom)
            WHERE t.app_id = $1 AND t.id = i.token_id AND \(condition)
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
        }
    }

    public func history(appId: String, since: Date?, openHours: Bool, now: Date) async throws -> CampaignPlanner.History {
        var history = CampaignPlanner.History()
        if let since {
            // One message per person per campaign occurrence, whatever the number of devices.
            for try await row in try await client.query("""
                SELECT CASE WHEN user_id IS NOT NULL THEN 'user:' || user_id ELSE 'installation:' || installation_id END AS person,
                       MIN(COALESCE(accepted_at, due_at))
                FROM deliveries
                WHERE app_id = \(appId) AND due_at > \(since.timeIntervalSince1970) AND state IN ('pending', 'retry', 'sending', 'accepted')
                GROUP BY person, campaign_id, occurrence
                """, logger: logger) {
                let (person, at) = try row.decode((String, Double).self)
                history.sendsByPerson[person, default: []].append(Date(timeIntervalSince1970: at))
            }
        }
        if openHours {
            var calendars: [String: Calendar] = [:]
            for try await row in try await client.query("""
                SELECT e.user_id, e.occurred_at, i.timezone FROM events e
                JOIN installations i ON i.app_id = e.app_id AND i.installation_id = e.installation_id
                WHERE e.app_id = \(appId) AND e.type = 'opened' AND e.user_id IS NOT NULL
                  AND e.occurred_at > \(now.addingTimeInterval(-90 * 86_400).timeIntervalSince1970)
                """, logger: logger) {
                let (userId, occurredAt, timezone) = try row.decode((String, Double, String?).self)
                let zone = timezone ?? "UTC"
                let calendar = calendars[zone] ?? {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = TimeZone(identifier: zone) ?? .gmt
                    calendars[zone] = calendar
                    return calendar
                }()
                history.openHoursByUser[userId, default: []].append(calendar.component(.hour, from: Date(timeIntervalSince1970: occurredAt)))
            }
        }
        return history
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
            try Self.recordSet(Array(rows[start..<min(start + Self.enqueueBatch, rows.count)]))
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
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.app_id = c.app_id AND d.campaign_id = c.id AND d.state IN ('pending', 'retry'))
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
              AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.app_id = c.app_id AND d.campaign_id = c.id
                              AND d.state IN ('pending', 'retry', 'sending'))
            """, logger: logger)
    }

    // MARK: - Triggers

    public func dueTriggers(now: Date, limit: Int) async throws -> [TriggerRecord] {
        try await rows("""
            SELECT id, app_id, campaign_id, installation_id, user_id, event_at, fire_at FROM trigger_instances
            WHERE state = 'waiting' AND fire_at <= \(now.timeIntervalSince1970) ORDER BY fire_at LIMIT \(limit)
            """).map { row in
            let (id, appId, campaignId, installationId, userId, eventAt, fireAt)
                = try row.decode((String, String, String, String, String?, Double, Double).self)
            return TriggerRecord(id: id, appId: appId, campaignId: campaignId, installationId: installationId, userId: userId,
                                 eventAt: Date(timeIntervalSince1970: eventAt), fireAt: Date(timeIntervalSince1970: fireAt))
        }
    }

    public func finishTrigger(appId: String, id: String, state: TriggerRecord.State, now: Date) async throws {
        try await client.query("""
            UPDATE trigger_instances SET state = \(state.rawValue), updated_at = \(now.timeIntervalSince1970) WHERE app_id = \(appId) AND id = \(id)
            """, logger: logger)
    }

    public func personDid(appId: String, event: String, installationId: String, userId: String?, after: Date, now: Date) async throws -> Bool {
        try await rows("""
            SELECT EXISTS (SELECT 1 FROM events WHERE app_id = \(appId) AND type = \(event)
                           AND occurred_at >= \(after.timeIntervalSince1970) AND occurred_at <= \(now.timeIntervalSince1970)
                           AND (installation_id = \(installationId) OR (\(userId)::text IS NOT NULL AND user_id = \(userId)::text)))
            """)[0][0].decode(Bool.self)
    }

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
