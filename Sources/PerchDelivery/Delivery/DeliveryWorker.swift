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
            for _ in 0..<configuration.runningLanes { group.addTask { await self.runLane() } }
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
        let batch = await holdingLeases(HeldLeases(claimed)) { await send(claimed) }
        try await record(batch, of: claimed)
        return claimed.count
    }

    func claim() async throws -> [ClaimedDelivery] {
        if let only = configuration.onlyCampaign {
            return try await store.claimDeliveries(appId: only.appId, campaignId: only.campaignId, limit: configuration.batchSize,
                                                   leaseFor: configuration.lease, now: now())
        }
        return try await store.claimDeliveries(limit: configuration.batchSize, leaseFor: configuration.lease, now: now())
    }

    /// Records everything the batch wrote in one transaction, then counts its outcomes (a refused retirement counts
    /// as `kept`) and wakes the requests waiting on its campaigns.
    func record(_ batch: DeliveryBatch, of claimed: [ClaimedDelivery]) async throws {
        let recorded = try await store.recordDeliveries(batch, now: now())
        if let metrics {
            let platforms = Dictionary(claimed.map { ($0.id, $0.destination?.platform.rawValue ?? "unknown") }, uniquingKeysWith: { first, _ in first })
            for update in recorded {
                let suppression: String? = if case .suppressed(let code) = update.state { code } else { nil }
                metrics.delivery(platform: platforms[update.id] ?? "unknown", outcome: update.outcome.rawValue,
                                 reason: update.reason?.metricLabel ?? suppression)
            }
        }
        for pause in Set(batch.pauses) {
            logger.error("gateway paused: credentials refused", metadata: ["perch.app_id": "\(pause.appId)", "platform": "\(pause.platform.rawValue)",
                                                                           "reason": "\(pause.reason)"])
        }
        outcomes?.recorded(campaignIds: batch.campaignIds)
    }

    /// Sends `batch` and records its outcomes, claiming the next batch meanwhile (held under lease with it); answers
    /// the next batch. A failed record leaves the batch's rows to come back when their lease runs out.
    func sendClaimingAhead(_ batch: [ClaimedDelivery]) async -> [ClaimedDelivery] {
        let held = HeldLeases(batch)
        let (sent, next) = await holdingLeases(held) {
            async let next = claimAhead(holding: held)
            let sent = await send(batch)
            return (sent, await next)
        }
        do {
            try await record(sent, of: batch)
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
            try await store.recordDeliveries(DeliveryBatch(releases: claimed.map { DeliveryRelease(id: $0.id, campaignId: $0.campaignId, dueAt: at) }),
                                             now: at)
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

    /// Sends a claimed batch, the configuration's `laneConcurrency` at a time; answers what it leaves to write.
    func send(_ claimed: [ClaimedDelivery]) async -> DeliveryBatch {
        await withTaskGroup(of: (ClaimedDelivery, [DeliveryWrite], String?).self) { group in
            var batch = DeliveryBatch()
            batch.updates.reserveCapacity(claimed.count)
            var next = claimed.makeIterator()
            for _ in 0..<min(configuration.laneConcurrency, claimed.count) {
                if let delivery = next.next() { group.addTask { await self.deliver(delivery) } }
            }
            while let (delivery, writes, locale) = await group.next() {
                batch.add(writes, of: delivery, locale: locale)
                if let delivery = next.next() { group.addTask { await self.deliver(delivery) } }
            }
            return batch
        }
    }

    /// Runs one claim through ``DeliveryStateMachine``, doing each read and the send it asks for, until it says what
    /// to write; answers that, with the key of the localization the message went out in.
    func deliver(_ delivery: ClaimedDelivery) async -> (ClaimedDelivery, [DeliveryWrite], String?) {
        var machine = DeliveryStateMachine(.init(attempt: delivery.attempt, destination: delivery.destination, status: delivery.status,
                                                 consent: delivery.consent, userId: delivery.userId, expiresAt: delivery.expiresAt),
                                           policy: configuration.retryPolicy)
        var campaign: PreparedCampaign?
        var route: GatewayDirectory.Route?
        var locale: String?
        var action = machine.start()
        while true {
            switch action {
            case .readCampaign:
                campaign = await self.campaign(appId: delivery.appId, id: delivery.campaignId)
                action = machine.campaignRead(campaign.map { .init(includeStale: $0.definition.includeStale ?? true, isLiveActivity: $0.definition.liveActivity != nil) },
                                              now: now())
            case .route(let platform):
                do {
                    let found = try await gateways.route(appId: delivery.appId, platform: platform)
                    route = found
                    action = machine.routed(messagesPerSecond: found.messagesPerSecond)
                } catch {
                    action = machine.routeFailed(detail: (error as? PerchError)?.message)
                }
            case .awaitPermit(let platform, let rate):
                if let dueAt = await awaitPermit(appId: delivery.appId, campaignId: delivery.campaignId, platform: platform, rate: rate) {
                    action = machine.throttled(until: dueAt)
                } else {
                    action = machine.permitted()
                }
            case .checkCancelled:
                action = machine.cancelChecked(await isCancelled(appId: delivery.appId, campaignId: delivery.campaignId))
            case .findCarrier:
                do {
                    let carrier = try await store.currentDestination(appId: delivery.appId, installationId: delivery.installationId)
                    action = machine.carrierFound(carrier.map { ($0.destination, $0.status) })
                } catch {
                    logger.error("reading an installation's FCM token failed", metadata: ["error": "\(error)"])
                    action = machine.carrierUnreadable()
                }
            case .send(let destination, let liveActivityToken):
                guard let campaign, let route else { preconditionFailure("a send comes after its campaign and gateway") }
                // In the installation's locale: the localization it picks, or the default message.
                let localized = campaign.message(variant: delivery.variant).renderLocalized(user: delivery.userAttributes,
                                                                                            installation: delivery.installationFields)
                locale = localized.locale
                let answer = await send(localized.message, of: delivery, to: destination, liveActivityToken: liveActivityToken,
                                        liveActivity: campaign.definition.liveActivity, via: route)
                var random = SystemRandomNumberGenerator()
                action = machine.answered(answer, now: now(), random: &random)
            case .finish(let writes):
                return (delivery, writes, locale)
            }
        }
    }

    /// Sends one rendered message through its gateway, timing the answer.
    func send(_ message: PushMessage, of delivery: ClaimedDelivery, to destination: PushDestination, liveActivityToken: String?,
              liveActivity: LiveActivityEvent?, via route: GatewayDirectory.Route) async -> DeliveryOutcome {
        let sendLogger = logger.forPush(["perch.delivery_id": .string(delivery.id), "perch.token_id": .string(delivery.tokenId)])
        var options = PushSendOptions(timeToLive: delivery.expiresAt.map { max(0, Int($0.timeIntervalSince(now()))) }, logger: sendLogger,
                                      liveActivity: liveActivity)
        options.liveActivityToken = liveActivityToken
        let sentAt = ContinuousClock.now
        let answer = await route.gateway.send(message.tagged(deliveryId: delivery.id, campaignId: delivery.campaignId), to: destination, options: options)
        metrics?.gatewayLatency(platform: destination.platform.rawValue, ContinuousClock.now - sentAt)
        return answer
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
