import Foundation
import Logging
import PerchCore
import PerchStore

/// Sends made at once — `POST /v1/send`, `POST /api/push`, Live Activity sends and `perch send` — as campaigns of the
/// delivery queue: started and resolved now, sent by a worker like every push (throttle, pauses, delivery rows, metrics,
/// `explain`), their outcomes awaited by notification.
public struct SendQueue: Sendable {
    let store: any PerchStore
    let resolver: CampaignResolver
    /// Where this process's delivery worker reports recorded batches; waiting on a send listens here.
    public let outcomes: DeliveryOutcomes
    let now: @Sendable () -> Date

    public init(store: any PerchStore, resolver: CampaignResolver, outcomes: DeliveryOutcomes = DeliveryOutcomes(),
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.resolver = resolver
        self.outcomes = outcomes
        self.now = now
    }

    /// A send started at once and its audience resolved now, for a worker to send. Answers its id and what was queued
    /// and left out.
    public func enqueue(_ definition: CampaignDefinition, kind: CampaignKind = .transactional, appId: String) async throws
        -> (id: String, counted: CampaignDryRun) {
        let created = try await store.createCampaign(appId: appId, definition: definition, kind: kind, now: now())
        guard let started = try await store.startCampaign(appId: appId, id: created.id, startAt: now(), now: now()) else {
            throw PerchError(.internalError, "the send vanished")
        }
        return (created.id, try await resolver.resolveCounted(started, now: now()))
    }

    /// The deliveries of these sends, once every one has its final outcome or as they stand at `deadline`. Woken when
    /// this process's worker records a send's deliveries (``DeliveryOutcomes``); every quarter second in any case, for a
    /// send another process's worker records.
    public func deliveries(appId: String, sendIds: [String], until deadline: ContinuousClock.Instant) async throws -> [String: [DeliveryRecord]] {
        var records: [String: [DeliveryRecord]] = [:]
        for id in sendIds { records[id] = try await store.deliveries(appId: appId, campaignId: id, installationId: nil) }
        while let waiting = sendIds.first(where: { !(records[$0] ?? []).allSatisfy(\.isFinal) }), ContinuousClock.now < deadline {
            await outcomes.wait(for: waiting, timeout: min(deadline - ContinuousClock.now, .milliseconds(250)))
            try Task.checkCancellation()
            for id in sendIds where !(records[id] ?? []).allSatisfy(\.isFinal) {
                records[id] = try await store.deliveries(appId: appId, campaignId: id, installationId: nil)
            }
        }
        return records
    }

    /// The installation a raw token is sent through. A token Perch does not know is registered first, under a new
    /// anonymous installation `<prefix><uuid>` with consent granted (the sender holds the token and asks to send), so its
    /// outcome can retire it; a known token is sent through its installation, so consent and status rules apply.
    public func target(_ destination: PushDestination, appId: String, registeringAs prefix: String) async throws -> RawTokenTarget {
        if let tokenId = try await store.tokenId(appId: appId, destination: destination) {
            guard let owner = try await store.installationId(appId: appId, tokenId: tokenId) else {
                return .suppressed(reason: "no_installation", detail: "the token belongs to no installation")
            }
            if let current = try await store.currentDestination(appId: appId, installationId: owner), current.tokenId != tokenId {
                return .suppressed(reason: "token_replaced", detail: "the token was replaced by a newer one of its installation")
            }
            return .installation(id: owner, registeredNow: false)
        }
        let registration = TokenRegistration(installationId: prefix + UUID.random().uuidString.lowercased(), destination: destination,
                                             consent: .granted)
        return .installation(id: try await store.register(appId: appId, registration, now: now()).installationId, registeredNow: true)
    }

    /// A delivery's outcome as its sender reports it. A token the send itself registered that the gateway calls dead is
    /// retired whatever APNs' 410 timestamp says — the sender's registration is no sighting of the device — so the
    /// worker's `kept` becomes `retired`.
    public func outcome(of record: DeliveryRecord, registeredNow: Bool, appId: String) async throws -> String {
        let outcome = record.outcome ?? record.state
        guard outcome == DeliveryVerdict.Outcome.kept.rawValue, registeredNow,
              try await store.retireToken(appId: appId, tokenId: record.tokenId, reason: record.reason ?? "Unregistered", at: now(),
                                          unlessSeenAfter: nil)
        else { return outcome }
        return DeliveryVerdict.Outcome.retired.rawValue
    }
}
