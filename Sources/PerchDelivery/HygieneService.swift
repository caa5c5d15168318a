import Foundation
import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// Runs token hygiene on a schedule inside `perch serve` and `perch worker`: unseen tokens become
/// stale, then expired. Once per period however many processes run: a pass takes the store's
/// `perch.hygiene` lease for the whole period and is skipped by everyone else until it runs out.
/// The clock is injected so tests drive it without sleeping.
public struct HygieneService<C: Clock>: Service where C.Duration == Duration {
    let store: any HealthStore & CoordinationStore & IdempotencyStore
    let policy: HygienePolicy
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: PerchMetrics?
    let lease: ProcessLease

    public init(store: any HealthStore & CoordinationStore & IdempotencyStore, policy: HygienePolicy, clock: C, now: @escaping @Sendable () -> Date = Date.init,
                holder: String? = nil, logger: Logger, metrics: PerchMetrics? = nil) {
        self.store = store
        self.policy = policy
        self.clock = clock
        self.now = now
        self.logger = logger
        self.metrics = metrics
        self.lease = ProcessLease(store: store, name: "perch.hygiene", holder: holder ?? ProcessLease.thisProcess, duration: policy.interval)
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            do {
                // Look more often than the period, so a period another process missed is run soon after it ends.
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: min(policy.interval, .seconds(60))) }
            } catch {
                return
            }
        }
    }

    /// One pass, unless this period's pass already ran (here or in another process): answers its
    /// report, or nil when it did not run. Errors are logged, never fatal, and the next pass tries again.
    @discardableResult
    public func runOnce() async -> HygieneReport? {
        do {
            guard try await lease.acquireAnew(now: now()) else { return nil }
            let report = try await store.runHygiene(policy: policy, now: now(), dryRun: false)
            // Idempotency keys answer retries for a day; after that they are forgotten.
            let forgotten = try await store.forgetIdempotencyKeys(claimedBefore: now().addingTimeInterval(-IdempotencyRecord.lifetime))
            metrics?.hygieneStale.increment(by: Int64(report.markedStale))
            metrics?.hygieneExpired.increment(by: Int64(report.markedExpired))
            logger.info("hygiene pass", metadata: ["stale": "\(report.markedStale)", "expired": "\(report.markedExpired)",
                                                   "idempotencyKeysForgotten": "\(forgotten)"])
            return report
        } catch {
            logger.error("hygiene pass failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
