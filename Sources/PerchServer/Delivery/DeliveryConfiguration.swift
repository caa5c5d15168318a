import PerchCore

/// How a delivery worker claims and sends (`PERCH_DELIVERY_*` in `perch serve`).
public struct DeliveryConfiguration: Sendable {
    /// Deliveries claimed per round trip to the store.
    public var batchSize = 256
    /// Sends in flight at once.
    public var concurrency = 64
    /// How long a claim holds before another worker may take the rows over. A worker that dies costs at
    /// most one batch of duplicates, re-sent once this lease runs out.
    public var lease: Duration = .seconds(30)
    /// How long to wait when nothing is due.
    public var idleInterval: Duration = .milliseconds(50)
    public var retryPolicy = RetryPolicy()

    public init() {}
}
