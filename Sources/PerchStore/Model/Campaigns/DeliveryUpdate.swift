import Foundation
import PerchCore

/// What happened to one claimed delivery.
public struct DeliveryUpdate: Sendable, Hashable {
    public var id: String
    public var campaignId: String
    public var state: DeliveryState
    public var outcome: DeliveryVerdict.Outcome
    public var reason: DeliveryFailureReason?

    public init(id: String, campaignId: String, state: DeliveryState, outcome: DeliveryVerdict.Outcome, reason: DeliveryFailureReason?) {
        self.id = id
        self.campaignId = campaignId
        self.state = state
        self.outcome = outcome
        self.reason = reason
    }
}
