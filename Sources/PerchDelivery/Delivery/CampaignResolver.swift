import Foundation
import Logging
import PerchCore
import PerchStore

/// Resolves a campaign's audience into delivery rows at send time, and fires due triggers.
/// The planner decides (pure); this gathers its facts from the store and writes its decisions.
public struct CampaignResolver: Sendable {
    let store: any PerchStore
    let logger: Logger
    /// Rows written per transaction while resolving a large audience: a few milliseconds of the store's writer each
    /// (on SQLite the one writer), so the workers' claims and records come between them. With a slice's ~5,000 rows
    /// per transaction the workers sent ~2,000/s while the audience was written, against ~11,000/s after
    /// (bench/campaign/README.md, session 35).
    var chunkSize = 1_000
    /// Installations per slice of a filtered audience, planned and written together.
    var sliceSize = 5_000

    public init(store: any PerchStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// The audience as the store reads it: the segment looked up, the filter parsed.
    public func audience(appId: String, _ audience: CampaignDefinition.Audience) async throws -> ResolvedAudience {
        if let segmentId = audience.segmentId {
            guard let segment = try await store.segment(appId: appId, id: segmentId) else {
                throw PerchError(.notFound, "segment not found", field: "audience.segmentId")
            }
            return .filter(try AudienceFilter.parse(segment.filter, field: "audience.segmentId"))
        }
        if let filter = audience.filter { return .filter(try AudienceFilter.parse(filter, field: "audience.filter")) }
        if let users = audience.userIds { return .users(users) }
        if let installations = audience.installationIds { return .installations(installations) }
        throw PerchError.invalid("audience", "audience names one of segmentId, filter, userIds or installationIds")
    }

    /// Writes one delivery row per token of the campaign's audience, planned at the campaign's start; answers how many
    /// rows were planned. Safe to run again after a crash: rows already written are kept.
    @discardableResult
    public func resolve(_ campaign: CampaignRecord, now: Date) async throws -> Int {
        let counted = try await resolveCounted(campaign, now: now)
        return counted.tokens + counted.leftOut.values.reduce(0, +)
    }

    /// Resolves the campaign and answers what was planned, counted: tokens queued, people, and tokens left out per
    /// reason (a dry run's numbers, for the send that happened).
    ///
    /// A filtered audience is planned and written one ``PeopleSlice`` at a time, so memory stays flat however large
    /// the audience, and workers start sending the first slice while the next ones are planned. The campaign is marked
    /// resolved (and can complete) only after the last slice.
    public func resolveCounted(_ campaign: CampaignRecord, now: Date) async throws -> CampaignDryRun {
        let counted = try await counted(campaign, start: campaign.startAt ?? now, now: now) { planned in
            try await write(campaign, occurrence: "", planned: planned, finished: false, now: now)
        }
        try await write(campaign, occurrence: "", planned: [], finished: true, now: now)
        logger.info("campaign resolved", metadata: ["perch.campaign_id": "\(campaign.id)", "tokens": "\(counted.tokens)"])
        return counted
    }

    /// The campaign's audience planned for a start at `start` and counted, each planned part handed to `each` first
    /// (a send writes it; a dry run does nothing with it).
    func counted(_ campaign: CampaignRecord, start: Date, now: Date,
                 each: ([CampaignPlanner.Planned]) async throws -> Void = { _ in }) async throws -> CampaignDryRun {
        let variantNames = campaign.definition.variants?.map(\.name) ?? []
        var counted = CampaignDryRun()
        try await forEachSlice(campaign, start: start, now: now) { planned in
            try await each(planned)
            counted.add(CampaignDryRun(planned, variantNames: variantNames))
        }
        return counted
    }

    /// Plans the campaign's audience for a start at `start`, handing each part to `body`: a filtered audience one
    /// ``PeopleSlice`` of about `sliceSize` installations at a time, a list of users or installations at once.
    func forEachSlice(_ campaign: CampaignRecord, start: Date, now: Date,
                      _ body: ([CampaignPlanner.Planned]) async throws -> Void) async throws {
        let audience = try await audience(appId: campaign.appId, campaign.definition.audience)
        let tokens = campaign.definition.tokens ?? .device
        let planner = CampaignPlanner(campaignId: campaign.id, definition: campaign.definition)
        let history = try await history(campaign, start: start, now: now)
        guard case .filter = audience else {
            let candidates = try await store.candidates(appId: campaign.appId, audience: audience, tokens: tokens, now: now)
            return try await body(planner.plan(candidates, history: history, start: start))
        }
        var next: PeopleSlice? = .first
        while var slice = next {
            slice.through = try await store.peopleBoundary(appId: campaign.appId, of: slice.people, after: slice.after, size: sliceSize)
            let candidates = try await store.candidates(appId: campaign.appId, audience: .slice(slice, within: audience), tokens: tokens,
                                                        now: now)
            if !candidates.isEmpty { try await body(planner.plan(candidates, history: history, start: start)) }
            next = slice.next
        }
    }

    /// Fires one due trigger: the person's tokens within the audience are planned now, unless the
    /// person did the cancel event in between (then every token is recorded as left out for it).
    public func fire(_ trigger: TriggerRecord, now: Date) async throws {
        guard let campaign = try await store.campaign(appId: trigger.appId, id: trigger.campaignId), campaign.status == .running else {
            try await store.finishTrigger(appId: trigger.appId, id: trigger.id, state: .cancelled, now: now)
            return
        }
        let definition = campaign.definition
        let hasAudience = definition.audience.segmentId != nil || definition.audience.filter != nil || definition.audience.userIds != nil
            || definition.audience.installationIds != nil
        let within = hasAudience ? try await audience(appId: campaign.appId, definition.audience) : nil
        let candidates = try await store.candidates(appId: campaign.appId,
                                                    audience: .person(installationId: trigger.installationId, userId: trigger.userId, within: within),
                                                    tokens: definition.tokens ?? .device, now: now)
        var planned = try await plan(campaign, candidates: candidates, start: now, now: now)
        var state = TriggerRecord.State.fired
        if let cancelEvent = definition.trigger?.cancelIf,
           try await store.personDid(appId: campaign.appId, event: cancelEvent, installationId: trigger.installationId, userId: trigger.userId,
                                     after: trigger.eventAt, now: now) {
            planned = planned.map { entry in
                var entry = entry
                entry.decision = .exclude(.cancelCondition(cancelEvent))
                return entry
            }
            state = .cancelled
        }
        try await write(campaign, occurrence: trigger.id, planned: planned, finished: false, now: now)
        try await store.finishTrigger(appId: trigger.appId, id: trigger.id, state: state, now: now)
    }

    /// The campaign's audience (or only one person of it) planned for a start at `start`: the one path a real send
    /// (``resolve(_:now:)``), a dry run (``dryRun(_:now:)``) and the dashboard's explain of a draft all take.
    public func plan(_ campaign: CampaignRecord, person: (installationId: String, userId: String?)? = nil, start: Date,
                     now: Date) async throws -> [CampaignPlanner.Planned] {
        var audience = try await audience(appId: campaign.appId, campaign.definition.audience)
        if let person { audience = .person(installationId: person.installationId, userId: person.userId, within: audience) }
        let candidates = try await store.candidates(appId: campaign.appId, audience: audience, tokens: campaign.definition.tokens ?? .device,
                                                    now: now)
        return try await plan(campaign, candidates: candidates, start: start, now: now)
    }

    /// What sending the campaign now would do, counted; nothing is sent or written. Planned with the start a send at
    /// `now` would get (its scheduled time, or now).
    public func dryRun(_ campaign: CampaignRecord, now: Date) async throws -> CampaignDryRun {
        guard campaign.kind == .campaign else {
            throw PerchError(.conflict, "a dry run plans a whole audience at once; a \(campaign.kind.rawValue) campaign is planned per person",
                             field: "campaignId")
        }
        return try await counted(campaign, start: sendStart(campaign, now: now), now: now)
    }

    /// When a campaign sent at `now` starts: its recorded start once sent, else its schedule's (`at`, or now).
    public func sendStart(_ campaign: CampaignRecord, now: Date) -> Date {
        campaign.startAt ?? (campaign.definition.schedule ?? CampaignSchedule()).start(sentAt: now)
    }

    func plan(_ campaign: CampaignRecord, candidates: [CampaignPlanner.Candidate], start: Date, now: Date) async throws -> [CampaignPlanner.Planned] {
        CampaignPlanner(campaignId: campaign.id, definition: campaign.definition)
            .plan(candidates, history: try await history(campaign, start: start, now: now), start: start)
    }

    /// What the planner needs to know of earlier sends and opens: sends within the campaign's longest cap (none when it
    /// has no cap or bypasses them), opens when its send time is optimised.
    func history(_ campaign: CampaignRecord, start: Date, now: Date) async throws -> CampaignPlanner.History {
        let definition = campaign.definition
        let longestCap = definition.bypassCaps == true ? nil : definition.frequencyCap?.map(\.window.timeInterval).max()
        return try await store.history(appId: campaign.appId, since: longestCap.map { start.addingTimeInterval(-$0) },
                                       openHours: definition.schedule?.optimized == true, now: now)
    }

    func write(_ campaign: CampaignRecord, occurrence: String, planned: [CampaignPlanner.Planned], finished: Bool, now: Date) async throws {
        // 0 is now or never, as APNs and FCM read it: a second to be sent in, with no time to live left by then.
        let timeToLive = campaign.definition.ttlSeconds.map { Double(max($0, 1)) }
        var start = 0
        repeat {
            let end = min(planned.count, start + chunkSize)
            try await store.enqueue(appId: campaign.appId, campaignId: campaign.id, occurrence: occurrence, planned: Array(planned[start..<end]),
                                    timeToLive: timeToLive, finished: finished && end == planned.count, now: now)
            start = end
        } while start < planned.count
    }
}
