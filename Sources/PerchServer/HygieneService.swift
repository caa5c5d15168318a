import Foundation
import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// Runs token hygiene on a schedule inside `perch serve`: unseen tokens become stale,
/// then expired. The clock is injected so tests drive it without sleeping.
public struct HygieneService<C: Clock>: Service where C.Duration == Duration {
    let store: any HealthStore
    let policy: HygienePolicy
    let clock: C
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: PerchMetrics?

    public init(store: any HealthStore, policy: HygienePolicy, clock: C, now: @escaping @Sendable () -> Date = Date.init,
                logger: Logger, metrics: PerchMetrics? = nil) {
        self.store = store
        self.policy = policy
        self.clock = clock
        self.now = now
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await runOnce()
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: policy.interval) }
            } catch {
                return
            }
        }
    }

    /// One pass; errors are logged, never fatal, and the next pass tries again.
    @discardableResult
    public func runOnce() async -> HygieneReport? {
        do {
            let report = try await store.runHygiene(policy: policy, now: now(), dryRun: false)
            metrics?.hygieneStale.increment(by: Int64(report.markedStale))
            metrics?.hygieneExpired.increment(by: Int64(report.markedExpired))
            logger.info("hygiene pass", metadata: ["stale": "\(report.markedStale)", "expired": "\(report.markedExpired)"])
            return report
        } catch {
            logger.error("hygiene pass failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
