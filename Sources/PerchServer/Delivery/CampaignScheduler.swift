import Foundation
import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// Starts campaigns when their time comes and fires due triggers, durably: the schedule lives in
/// the store, so a restart picks up where the last process stopped.
public struct CampaignScheduler<C: Clock>: Service where C.Duration == Duration {
    let resolver: CampaignResolver
    let store: any PerchStore
    let clock: C
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    public init(store: any PerchStore, clock: C, interval: Duration = .milliseconds(250), now: @escaping @Sendable () -> Date = Date.init,
                logger: Logger) {
        self.resolver = CampaignResolver(store: store, logger: logger)
        self.store = store
        self.clock = clock
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            do { try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) } } catch { return }
        }
    }

    /// One pass: resolve every campaign whose start has come, fire every due trigger. Errors are logged and retried next pass.
    public func runOnce() async {
        do {
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
        } catch {
            logger.error("scheduler pass failed", metadata: ["error": "\(error)"])
        }
    }
}
