import Foundation

/// The rollups the analytics reads are served from (docs/metrics.md, "Rollups"), checked against the facts.
public protocol RollupStore: Sendable {
    /// Recomputes every rollup from the facts (deliveries and events) and compares it with what is stored. With
    /// `repair`, when anything differs, rebuilds every rollup from the facts in one transaction (writers wait).
    func verifyRollups(repair: Bool) async throws -> RollupVerification
}
