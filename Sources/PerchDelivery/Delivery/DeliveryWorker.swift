import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchStore
import ServiceLifecycle

/// Sends what the delivery queue holds: claims due deliveries in batches under a lease, sends each
/// through its app's gateway (at most its `messagesPerSecond`, counted across every worker), and records every answer as the
/// delivery's next state — retiring dead tokens and pausing apps whose credentials fail at once.
///
/// A worker that dies mid-batch loses nothing: the rows it held are claimed again when their lease
/// runs out, so the only cost of a crash is re-sending the batches in flight (duplicates bounded by one batch per lane). A worker
/// that lives extends the lease while its batch is in flight, so a slow endpoint never makes another worker
/// send the same rows again.
public struct DeliveryWorker<C: Clock>: Service where C.Duration == Duration {
    let store: any PerchStore
    let gateways: any GatewayRouting
    let configuration: DeliveryConfiguration
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: PerchMetrics?
    /// Told of every batch recorded, for the requests of this process that wait on a send.
    let outcomes: DeliveryOutcomes?
    private let state: WorkerState

    public init(store: any PerchStore, gateways: any GatewayRouting, configuration: DeliveryConfiguration = .init(), clock: C,
                now: @escaping @Sendable () -> Date = Date.init, logger: Logger, metrics: PerchMetrics? = nil,
                outcomes: DeliveryOutcomes? = nil) {
        self.store = store
        self.gateways = gateways
        self.configuration = configuration
        self.clock = clock
        self.now = now
        self.logger = logger
        self.metrics = metrics
        self.outcomes = outcomes
        self.state = WorkerState()
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, configuration.lanes) { group.addTask { await self.runLane() } }
        }
    }

    /// One lane: rounds until shutdown, resting for `idleInterval` when nothing is due. The next batch is claimed while
    /// this one's sends are in flight, so the sends wait for the store only while a batch is recorded. A batch claimed
    /// ahead is not sent yet: a crash still re-sends at most the one batch in flight, and at shutdown it is given back.
    func runLane() async {
        var next: [ClaimedDelivery] = []
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let batch = next.isEmpty ? try await claim() : next
                next = []
                if !batch.isEmpty {
                    next = await sendClaimingAhead(batch)
                    continue
                }
            } catch {
                logger.error("delivery round failed", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await clock.sleep(for: configuration.idleInterval) } } catch { break }
        }
        await giveBack(next)
    }

    /// Claims one batch, sends it and records the outcomes; answers how many deliveries it handled.
    @discardableResult
    public func runOnce() async throws -> Int {
        let claimed = try await claim()
        guard !claimed.isEmpty else { return 0 }
        let updates = await holdingLeases(HeldLeases(claimed)) { await send(claimed) }
        try await record(updates)
        return claimed.count
    }

    func claim() async throws -> [ClaimedDelivery] {
        if let only = configuration.onlyCampaign {
            return try await store.claimDeliveries(appId: only.appId, campaignId: only.campaignId, limit: configuration.batchSize,
                                                   leaseFor: configuration.lease, now: now())
        }
        return try await store.claimDeliveries(limit: configuration.batchSize, leaseFor: configuration.lease, now: now())
    }

    func record(_ updates: [DeliveryUpdate]) async throws {
        try await store.recordDeliveries(updates, now: now())
        outcomes?.recorded(campaignIds: Set(updates.map(\.campaignId)))
    }

    /// Sends `batch` and records its outcomes, claiming the next batch meanwhile (held under lease with it); answers
    /// the next batch. A failed record leaves the batch's rows to come back when their lease runs out.
    func sendClaimingAhead(_ batch: [ClaimedDelivery]) async -> [ClaimedDelivery] {
        let held = HeldLeases(batch)
        let (updates, next) = await holdingLeases(held) {
            async let next = claimAhead(holding: held)
            let updates = await send(batch)
            return (updates, await next)
        }
        do {
            try await record(updates)
        } catch {
            logger.error("recording a batch failed", metadata: ["error": "\(error)"])
        }
        return next
    }

    func claimAhead(holding held: HeldLeases) async -> [ClaimedDelivery] {
        guard !Task.isShuttingDownGracefully else { return [] }
        do {
            let next = try await claim()
            held.add(next)
            return next
        } catch {
            logger.error("claiming the next batch failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Releases rows claimed and not sent, due again now, without counting an attempt.
    func giveBack(_ claimed: [ClaimedDelivery]) async {
        guard !claimed.isEmpty else { return }
        let at = now()
        do {
            try await store.recordDeliveries(claimed.map { .release(id: $0.id, campaignId: $0.campaignId, dueAt: at) }, now: at)
        } catch {
            logger.error("giving back a claimed batch failed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` while extending the held rows' lease every third of its length: however long the batch takes
    /// (a slow endpoint, a throttled gateway), its rows stay this worker's and no other worker claims them. A worker
    /// that dies stops extending, and its rows are due again one lease after its last extension.
    func holdingLeases<R: Sendable>(_ held: HeldLeases, _ body: () async -> R) async -> R {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    do { try await clock.sleep(for: configuration.lease / 3) } catch { return }
                    do {
                        _ = try await store.extendDeliveryLeases(held.all, until: now().addingTimeInterval(configuration.lease.timeInterval))
                    } catch {
                        logger.error("extending a batch's lease failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            defer { group.cancelAll() }
            return await body()
        }
    }

    /// Sends in flight at once in one lane: its share of the worker's `concurrency`.
    var laneConcurrency: Int { max(1, configuration.concurrency / max(1, configuration.lanes)) }

    /// Sends a claimed batch, `laneConcurrency` at a time; answers each delivery's update.
    func send(_ claimed: [ClaimedDelivery]) async -> [DeliveryUpdate] {
        await withTaskGroup(of: DeliveryUpdate?.self) { group in
            var updates: [DeliveryUpdate] = []
            updates.reserveCapacity(claimed.count)
            var next = claimed.makeIterator()
            for _ in 0..<min(laneConcurrency, claimed.count) {
                if let delivery = next.next() { group.addTask { await self.deliver(delivery) } }
            }
            while let update = await group.next() {
                if let update { updates.append(update) }
                if let delivery = next.next() { group.addTask { await self.deliver(delivery) } }
            }
            return updates
        }
    }

    /// Sends one delivery and decides its next state.
    func deliver(_ delivery: ClaimedDelivery) async -> DeliveryUpdate? {
        func finish(_ state: DeliveryState, _ outcome: DeliveryVerdict.Outcome, _ reason: DeliveryFailureReason? = nil) -> DeliveryUpdate {
            let suppression: String? = if case .suppressed(let code) = state { code } else { nil }
            metrics?.delivery(platform: delivery.destination?.platform.rawValue ?? "unknown", outcome: outcome.rawValue,
                              reason: reason?.metricLabel ?? suppression)
            return DeliveryUpdate(id: delivery.id, campaignId: delivery.campaignId, state: state, outcome: outcome, reason: reason)
        }
        let sendingAt = now()
        guard let destination = delivery.destination else {
            return finish(.suppressed(reason: "token_unreadable"), .suppressed)
        }
        guard let campaign = await campaign(appId: delivery.appId, id: delivery.campaignId) else {
            return finish(.suppressed(reason: "campaign_unreadable"), .suppressed)
        }
        if let expiresAt = delivery.expiresAt, expiresAt <= sendingAt {
            return finish(.failed(reason: "expired"), .expired)
        }
        // Status and consent are checked again at the moment of sending: they may have changed since the audience was resolved.
        let recheck = Eligibility(includeStale: campaign.definition.includeStale ?? true, bypassCaps: true)
        let facts = Eligibility.Candidate(status: delivery.status, consent: delivery.consent, userId: delivery.userId, timezone: nil)
        if case .exclude(let reason) = recheck.decide(facts, now: sendingAt) {
            return finish(.suppressed(reason: reason.code), .suppressed)
        }
        let route: GatewayDirectory.Route
        do {
            route = try await gateways.route(appId: delivery.appId, platform: destination.platform)
        } catch {
            let reason = DeliveryFailureReason(platform: destination.platform, status: nil, code: "GatewayNotConfigured",
                                               detail: (error as? PerchError)?.message)
            return finish(.failed(reason: "GatewayNotConfigured"), .failed, reason)
        }
        if let rate = route.messagesPerSecond,
           let dueAt = await awaitPermit(appId: delivery.appId, campaignId: delivery.campaignId, platform: destination.platform, rate: rate) {
            // Never hold a claimed row for long: give it back, due when the gateway has room again.
            return DeliveryUpdate.release(id: delivery.id, campaignId: delivery.campaignId, dueAt: dueAt)
        }
        // A cancel stops the rest of a batch in flight, too.
        if await isCancelled(appId: delivery.appId, campaignId: delivery.campaignId) {
            return finish(.suppressed(reason: "cancelled"), .suppressed)
        }
        // In the installation's locale: the localization it picks, or the default message.
        let localized = campaign.message(variant: delivery.variant).renderLocalized(user: delivery.userAttributes,
                                                                                    installation: delivery.installationFields)
        let message = localized.message.tagged(deliveryId: delivery.id, campaignId: delivery.campaignId)
        let timeToLive = delivery.expiresAt.map { max(0, Int($0.timeIntervalSince(now()))) }
        let sendLogger = logger.forPush(["perch.delivery_id": .string(delivery.id), "perch.token_id": .string(delivery.tokenId)])
        var options = PushSendOptions(timeToLive: timeToLive, logger: sendLogger, liveActivity: campaign.definition.liveActivity)
        var sendTo = destination
        if options.liveActivity != nil {
            switch await liveActivityRoute(destination, appId: delivery.appId, installationId: delivery.installationId) {
            case .direct(let direct): sendTo = direct
            case .throughFCM(let registrationToken, let liveActivityToken):
                sendTo = .fcm(token: registrationToken)
                options.liveActivityToken = liveActivityToken
            case .unreachable(let reason):
                return finish(.suppressed(reason: reason), .suppressed)
            }
        }
        let sentAt = ContinuousClock.now
        let answer = await route.gateway.send(message, to: sendTo, options: options)
        metrics?.gatewayLatency(platform: destination.platform.rawValue, ContinuousClock.now - sentAt)
        var random = SystemRandomNumberGenerator()
        let verdict = DeliveryVerdict.after(answer, attempt: delivery.attempt, now: now(), expiresAt: delivery.expiresAt,
                                            policy: configuration.retryPolicy, random: &random)
        var outcome = verdict.outcome
        do {
            if let retire = verdict.retire {
                let retired = try await store.retireToken(appId: delivery.appId, tokenId: delivery.tokenId, reason: retire.reason,
                                                          at: retire.unlessSeenAfter ?? now(), unlessSeenAfter: retire.unlessSeenAfter)
                if !retired { outcome = .kept }
            }
            if verdict.pausesGateway {
                try await store.pauseGateway(appId: delivery.appId, platform: destination.platform, reason: verdict.reason?.code ?? "CredentialError",
                                             now: now())
                logger.error("gateway paused: credentials refused", metadata: ["perch.app_id": "\(delivery.appId)",
                                                                               "platform": "\(destination.platform.rawValue)",
                                                                               "reason": "\(verdict.reason?.code ?? "")"])
            }
        } catch {
            logger.error("recording a gateway verdict failed", metadata: ["error": "\(error)"])
        }
        var update = finish(verdict.state, outcome, verdict.reason)
        update.locale = localized.locale
        return update
    }

    /// Where a Live Activity push to `token` goes (``LiveActivityRoute``); an FCM one needs the installation's device token.
    func liveActivityRoute(_ token: PushDestination, appId: String, installationId: String) async -> LiveActivityRoute {
        guard LiveActivityRoute.needsCarrier(token) else { return .direct(token) }
        let carrier: (tokenId: String, destination: PushDestination, status: TokenStatus)?
        do {
            carrier = try await store.currentDestination(appId: appId, installationId: installationId)
        } catch {
            logger.error("reading an installation's FCM token failed", metadata: ["error": "\(error)"])
            return .unreachable(reason: "token_unreadable")
        }
        return LiveActivityRoute.route(token, carrier: carrier.map { ($0.destination, $0.status) })
    }

    /// Waits until this worker may send one more message through the app's gateway: the limit is
    /// counted per second in the store, across every worker, so together they keep to `rate`. Answers
    /// nil when the message may go now, or the time to give the row back for when the wait would be
    /// long (or the shared count cannot be read).
    func awaitPermit(appId: String, campaignId: String, platform: Platform, rate: Double) async -> Date? {
        let perSecond = max(1, Int(rate.rounded(.down)))
        let deadline = now().addingTimeInterval(configuration.lease.timeInterval / 4)
        while true {
            let at = now()
            if state.takePermit(appId: appId, platform: platform, now: at) { return nil }
            let granted: Int
            do {
                granted = try await store.reserveSends(appId: appId, platform: platform,
                                                       wanted: SendPermits.chunk(perSecond: perSecond, concurrency: configuration.concurrency),
                                                       perSecond: perSecond, now: at)
            } catch {
                logger.error("reading the shared send count failed", metadata: ["error": "\(error)"])
                return SendPermits.nextWindow(after: at)
            }
            if granted > 0 {
                state.addPermits(granted - 1, appId: appId, platform: platform, now: at)
                return nil
            }
            // This second is used up: wait for the next one in short steps, so a cancel is noticed while throttled.
            let next = SendPermits.nextWindow(after: at)
            if next > deadline { return next }
            while now() < next, !(await isCancelled(appId: appId, campaignId: campaignId)) {
                try? await clock.sleep(for: .milliseconds(Int64(min(250, max(1, next.timeIntervalSince(now()) * 1000)))))
            }
            if await isCancelled(appId: appId, campaignId: campaignId) { return nil }
        }
    }

    /// Whether the campaign was cancelled, as of at most a quarter second ago.
    func isCancelled(appId: String, campaignId: String) async -> Bool {
        let at = now()
        if let known = state.status(campaignId, asOf: at, maximumAge: 0.25) { return known == .cancelled }
        guard let status = try? await store.campaign(appId: appId, id: campaignId)?.status else { return false }
        state.remember(status: status, of: campaignId, at: at)
        return status == .cancelled
    }

    /// The campaign's parsed messages, cached: a started campaign's definition no longer changes.
    func campaign(appId: String, id: String) async -> PreparedCampaign? {
        if let cached = state.campaign(id) { return cached }
        guard let record = try? await store.campaign(appId: appId, id: id),
              let prepared = try? PreparedCampaign(record.definition)
        else { return nil }
        state.remember(id, prepared)
        return prepared
    }
}
