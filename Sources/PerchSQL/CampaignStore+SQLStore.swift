import Foundation
import PerchCore
import PerchStore

/// The campaign store written once: every backend that is an ``SQLStore`` answers these the same way.
extension CampaignStore where Self: SQLStore {
    public func campaign(appId: String, id: String) async throws -> CampaignRecord? {
        try await row(CampaignStatements.campaign(appId: appId, id: id)) { try $0.campaign() }
    }

    public func campaigns(appId: String) async throws -> [CampaignRecord] {
        try await rows(CampaignStatements.list(appId: appId)) { try $0.campaign() }
    }

    public func startCampaign(appId: String, id: String, startAt: Date, now: Date) async throws -> CampaignRecord? {
        try await transition(appId: appId, id: id) { current in
            try CampaignTransition.start(from: current.status, triggered: current.kind == .triggered, startAt: startAt, now: now)
        }
    }

    public func cancelCampaign(appId: String, id: String, now: Date) async throws -> CampaignRecord? {
        try await transition(appId: appId, id: id) { current in try CampaignTransition.cancel(from: current.status, now: now) }
    }

    /// Scheduled campaigns whose time has come turn running, each taken up by one caller only; running ones still
    /// unresolved (a resolution cut short) are answered to every caller, as they were before.
    public func campaignsToResolve(now: Date) async throws -> [CampaignRecord] {
        var due: [CampaignRecord] = []
        for campaign in try await rows(CampaignStatements.toResolve(now: now), { try $0.campaign() }) {
            guard campaign.status == .scheduled else { due.append(campaign); continue }
            let started = try await write(guard: CampaignStatements.write(CampaignTransition.due(now: now), appId: campaign.appId,
                                                                          id: campaign.id, from: .scheduled),
                                          then: []) { try $0.campaign() }
            due += started
        }
        return due
    }

    public func peopleBoundary(appId: String, of people: PeopleSlice.People, after: String, size: Int) async throws -> String? {
        try await row(AudienceStatements.boundary(appId: appId, of: people, after: after, size: size)) { try $0.text(required: 0) }
    }

    public func campaignCounts(appId: String, campaignId: String, now: Date) async throws -> CampaignCounts {
        guard let campaign = try await campaign(appId: appId, id: campaignId) else { return CampaignCounts() }
        return try await CampaignRollupQuery.counts(of: campaign, on: self, now: now)
    }

    /// Reads the campaign, lets the core decide its transition, and writes it if the campaign's status is still the
    /// one read (see ``SQLStore``), reading again if it is not. `nil` when there is no such campaign.
    func transition(appId: String, id: String, _ decide: (CampaignRecord) throws -> CampaignTransition) async throws -> CampaignRecord? {
        for _ in 0..<Self.compareAndSetAttempts {
            guard let current = try await campaign(appId: appId, id: id) else { return nil }
            let transition = try decide(current)
            let withdrawn = transition.withdrawsQueuedWork
                ? CampaignStatements.withdrawQueuedWork(appId: appId, id: id, now: transition.updatedAt) : []
            let written = try await write(guard: CampaignStatements.write(transition, appId: appId, id: id, from: current.status),
                                          then: withdrawn) { try $0.campaign() }
            if let record = written.first { return record }
        }
        throw PerchError(.conflict, "the campaign kept changing while this change was made; try again", field: "status")
    }
}
