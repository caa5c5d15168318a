import Foundation
import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// Starts campaigns when their time comes and fires due triggers, durably: the schedule lives in
/// the store, so a restart picks up where the last process stopped.
///
/// Every Perch process runs a scheduler, but only the one holding the store's `perch.scheduler`
/// lease passes: so a campaign starts once and a trigger fires once however many processes run,
/// and audiences are resolved one at a time, which keeps frequency caps — counted from the stored
/// deliveries — true across processes. When the holder dies its lease runs out and another takes over.
public struct CampaignScheduler<C: Clock>: Service where C.Duration == Duration {
    let resolver: CampaignResolver
    let store: any PerchStore
    let clock: C
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let lease: ProcessLease

    public init(store: any PerchStore, clock: C, interval: Duration = .milliseconds(250), now: @escaping @Sendable () -> Date = Date.init,
                holder: String? = nil, logger: Logger) {
        self.resolver = CampaignResolver(store: store, logger: logger)
        self.store = store
        self.clock = clock
        self.interval = interval
        self.now = now
        self.logger = logger
        self.lease = ProcessLease(store: store, name: "perch.scheduler", holder: holder ?? ProcessLease.thisProcess, duration: .seconds(15))
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            do { try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) } } catch { break }
        }
        await lease.release()
    }

    /// One pass, when this process holds the scheduler lease: resolve every campaign whose start has
    /// come, fire every due trigger. Errors are logged and retried next pass. Answers whether it passed.
    @discardableResult
    public func runOnce() async -> Bool {
        do {
            guard try await lease.acquire(now: now()) else { return false }
            try await lease.renewing(clock: clock, now: now) { try await pass() }
            return true
        } catch {
            logger.error("scheduler pass failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func pass() async throws {
        for campaign in try await store.campaignsToResolve(now: now()) {
            do {
                try await resolver.resolve(campaign, now: now())
            } catch {
                logger.error("campaign resolution failed", metadata: ["perch.campaign_id": "\(campaign.id)", "error": "\(error)"])
            }
        }
        for trigger in try await store.dueTriggers(now: now(), limit: 500) {
            try await resolver.fire(trigger, now: now())
        }
    }
}
