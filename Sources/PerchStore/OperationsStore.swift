import Foundation
import PerchCore

/// What an operator watches live, across every app: the work waiting in the delivery queue and the
/// registry's tokens by status (Prometheus gauges at `GET /metrics`).
public protocol OperationsStore: Sendable {
    /// The delivery queue per app at `now`.
    func queueDepth(now: Date) async throws -> [QueueDepth]
    /// Tokens per app, platform and status.
    func tokenCounts() async throws -> [TokenCount]
}
