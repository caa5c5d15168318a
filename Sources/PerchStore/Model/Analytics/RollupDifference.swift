/// One rollup row that does not say what the facts say: which rollup, which group, and both values.
public struct RollupDifference: Sendable, Hashable, Codable {
    /// `campaign_delivery_rollups` or `campaign_event_rollups`.
    public var rollup: String
    /// The group, as `app/campaign/…` in the rollup's key order.
    public var key: String
    /// What the rollup holds (`absent` when it holds nothing).
    public var stored: String
    /// What the facts recompute (`absent` when they count nothing).
    public var recomputed: String

    public init(rollup: String, key: String, stored: String, recomputed: String) {
        (self.rollup, self.key, self.stored, self.recomputed) = (rollup, key, stored, recomputed)
    }
}
