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

    /// Gives a claimed delivery back untried, due again at `dueAt` (a throttle would hold it past its lease);
    /// the attempt it was claimed for is not counted.
    public static func release(id: String, campaignId: String, dueAt: Date) -> DeliveryUpdate {
        DeliveryUpdate(id: id, campaignId: campaignId, state: .retry(at: dueAt, attempt: 0, reason: "throttled"), outcome: .retry, reason: nil)
    }

    /// Whether the update gives the claim back untried (``release(id:campaignId:dueAt:)``): no outcome to count.
    public var isRelease: Bool {
        if case .retry(_, 0, _) = state { true } else { false }
    }
}
