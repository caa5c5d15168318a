import PerchCore

/// How a delivery worker claims and sends (`PERCH_DELIVERY_*` in `perch serve`).
public struct DeliveryConfiguration: Sendable {
    /// Deliveries claimed per round trip to the store.
    public var batchSize = 256
    /// Sends in flight at once, across the worker's lanes.
    public var concurrency = 64
    /// Claim–send–record rounds the worker runs side by side. With more than one, one lane's batch is recorded while
    /// another's sends are in flight, and a slow send holds up only its own lane. Each lane claims its next batch while
    /// its current one is in flight, and sends it once that one is recorded. Each lane has its share of `concurrency`
    /// and one batch in flight, so a crash re-sends at most `lanes` batches. Four keep the one SQLite writer fed: two left
    /// it idle between a lane's record and its next claim (bench/campaign/README.md, session 38).
    public var lanes = 4
    /// The lanes a worker runs: `lanes`, but never more than `concurrency`, so each has a send of its own and the sends in
    /// flight stay within `concurrency`.
    public var runningLanes: Int { max(1, min(lanes, concurrency)) }
    /// Sends in flight at once in one lane: its share of `concurrency`.
    public var laneConcurrency: Int { max(1, concurrency / runningLanes) }
    /// How long a claim holds before another worker may take the rows over. A worker that dies costs at
    /// most one batch of duplicates, re-sent once this lease runs out.
    public var lease: Duration = .seconds(30)
    /// How long to wait when nothing is due.
    public var idleInterval: Duration = .milliseconds(50)
    public var retryPolicy = RetryPolicy()
    /// Claims only this campaign's deliveries: a worker run for one send (`perch send`). `nil`: every due delivery.
    public var onlyCampaign: (appId: String, campaignId: String)?

    public init() {}
}
