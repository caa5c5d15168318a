import Foundation
import PerchCore

/// What happened to one claimed delivery.
public struct DeliveryUpdate: Sendable, Hashable {
    public var id: String
    public var campaignId: String
    public var state: DeliveryState
    public var outcome: DeliveryVerdict.Outcome
    public var reason: DeliveryFailureReason?
    /// The key of `message.localizations` the message was sent in; `nil` for the default message (or nothing sent).
    public var locale: String?

    public init(id: String, campaignId: String, state: DeliveryState, outcome: DeliveryVerdict.Outcome, reason: DeliveryFailureReason?,
                locale: String? = nil) {
        self.id = id
        self.campaignId = campaignId
        self.state = state
        self.outcome = outcome
        self.reason = reason
        self.locale = locale
    }
}
