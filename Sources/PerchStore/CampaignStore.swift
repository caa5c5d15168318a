import Foundation
import PerchCore

/// Segments, campaigns and the durable delivery queue.
///
/// A campaign's audience is resolved once, when it starts: one delivery row per token, written before
/// anything is sent — `pending` with the time it is due, or `suppressed` with the reason it was left out.
/// Workers claim due rows under a lease; a row whose lease runs out (its worker died) is claimed again,
/// so a crash costs at most the in-flight batch as duplicates and never a missed token.
public protocol CampaignStore: Sendable {
    func createSegment(appId: String, name: String, filter: String, now: Date) async throws -> SegmentRecord
    func segment(appId: String, id: String) async throws -> SegmentRecord?
    func segments(appId: String) async throws -> [SegmentRecord]
    /// Renames a segment and replaces its filter; `nil` when unknown. Campaigns naming it read the new filter when they start.
    func updateSegment(appId: String, id: String, name: String, filter: String, now: Date) async throws -> SegmentRecord?

    func createCampaign(appId: String, definition: CampaignDefinition, kind: CampaignKind, now: Date) async throws -> CampaignRecord
    /// Replaces the definition of a draft or scheduled campaign; `nil` when unknown. Throws `conflict` otherwise.
    func updateCampaign(appId: String, id: String, definition: CampaignDefinition, now: Date) async throws -> CampaignRecord?
    func campaign(appId: String, id: String) async throws -> CampaignRecord?
    func campaigns(appId: String) async throws -> [CampaignRecord]
    /// `draft → scheduled` to start at `startAt` (triggered campaigns start listening). Throws `conflict` when not a draft.
    func startCampaign(appId: String, id: String, startAt: Date, now: Date) async throws -> CampaignRecord?
    /// Cancels: pending and retrying deliveries become `suppressed(cancelled)`, waiting triggers are dropped.
    func cancelCampaign(appId: String, id: String, now: Date) async throws -> CampaignRecord?

    /// Campaigns whose start has come and whose audience is not resolved yet (also after a crash mid-resolution).
    func campaignsToResolve(now: Date) async throws -> [CampaignRecord]
    /// The audience's tokens with the facts the planner needs: each installation's current device token, or the live
    /// tokens of another kind that `tokens` selects (VoIP, Live Activity push-to-start or update tokens).
    func candidates(appId: String, audience: ResolvedAudience, tokens: TokenSelection, now: Date) async throws -> [CampaignPlanner.Candidate]
    /// Where a ``PeopleSlice`` of about `size` installations that starts after `after` ends: the id of its last person,
    /// or `nil` when fewer than `size` installations of these `people` are left (the slice runs to the end).
    func peopleBoundary(appId: String, of people: PeopleSlice.People, after: String, size: Int) async throws -> String?
    /// Earlier messages per person since `since` (caps) and, when asked, the local hours of users' past opens.
    func history(appId: String, since: Date?, openHours: Bool, now: Date) async throws -> CampaignPlanner.History
    /// Writes one delivery row per planned token, expiring `timeToLive` after it is due (rows that exist already are
    /// kept: resolution may be rerun),
    /// then, when `finished`, marks the campaign resolved — and completed when nothing is left to send.
    func enqueue(appId: String, campaignId: String, occurrence: String, planned: [CampaignPlanner.Planned],
                 timeToLive: TimeInterval?, finished: Bool, now: Date) async throws

    /// Triggers that are due, oldest first.
    func dueTriggers(now: Date, limit: Int) async throws -> [TriggerRecord]
    /// Marks a trigger done (`fired` or `cancelled`).
    func finishTrigger(appId: String, id: String, state: TriggerRecord.State, now: Date) async throws
    /// Whether the person did `event` at or after `after`, up to `now` (a trigger's cancel condition).
    func personDid(appId: String, event: String, installationId: String, userId: String?, after: Date, now: Date) async throws -> Bool

    /// Claims up to `limit` due deliveries for `leaseFor`, skipping paused gateways and stopped campaigns.
    func claimDeliveries(limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery]
    /// The same claim, of one campaign's deliveries only: a worker run for one send (`perch send`).
    func claimDeliveries(appId: String, campaignId: String, limit: Int, leaseFor: Duration, now: Date) async throws -> [ClaimedDelivery]
    /// Moves the end of these claims' lease to `until`, so a batch still in flight (a slow endpoint) is not claimed and
    /// sent again by another worker. Only rows still `sending` under the same attempt are touched: a row already recorded,
    /// or claimed since by another worker, is left alone. Answers how many leases were extended.
    func extendDeliveryLeases(_ leases: [DeliveryLease], until: Date) async throws -> Int
    /// Stores in one transaction what a batch of claimed deliveries wrote — their next states, the tokens their
    /// answers retire and the gateways they pause — and completes campaigns with nothing left to send. Answers the
    /// updates as recorded: a delivery whose token kept its status (``TokenRetirement``) has the outcome `kept`.
    @discardableResult
    func recordDeliveries(_ batch: DeliveryBatch, now: Date) async throws -> [DeliveryUpdate]
    func gatewayPauses(appId: String) async throws -> [GatewayPause]

    func campaignCounts(appId: String, campaignId: String, now: Date) async throws -> CampaignCounts
    /// Delivery rows (one per token and occurrence), oldest first: of one campaign, of one installation, or of one
    /// installation in one campaign. At least one of `campaignId` and `installationId` is given.
    func deliveries(appId: String, campaignId: String?, installationId: String?) async throws -> [DeliveryRecord]
}

/// An audience with its segment looked up.
extension CampaignStore {
    /// The audience's device tokens: each installation's current token.
    public func candidates(appId: String, audience: ResolvedAudience, now: Date) async throws -> [CampaignPlanner.Candidate] {
        try await candidates(appId: appId, audience: audience, tokens: .device, now: now)
    }
}

public enum ResolvedAudience: Sendable, Hashable {
    case filter(AudienceFilter)
    case users([String])
    case installations([String])
    /// One person's tokens within a campaign's audience (triggered sends).
    indirect case person(installationId: String, userId: String?, within: ResolvedAudience?)
    /// The people of one slice within an audience (a large audience is resolved slice by slice).
    indirect case slice(PeopleSlice, within: ResolvedAudience)
}
