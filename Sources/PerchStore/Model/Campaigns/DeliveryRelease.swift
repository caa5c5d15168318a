import Foundation

/// A claimed delivery given back untried: `pending` again, due at `dueAt`, the attempt it was claimed for not counted
/// (a throttle would hold it past its lease, or the worker shuts down before sending it).
public struct DeliveryRelease: Sendable, Hashable {
    public var id: String
    public var campaignId: String
    public var dueAt: Date

    public init(id: String, campaignId: String, dueAt: Date) {
        self.id = id
        self.campaignId = campaignId
        self.dueAt = dueAt
    }
}
