import Foundation

/// One delivery's state: `pending → sending → accepted | failed(reason) | retry(at)`, plus
/// `suppressed(reason)` for a token left out at send time. Pure; the queue stores it.
public enum DeliveryState: Sendable, Hashable {
    case pending
    case sending(attempt: Int)
    case accepted(gatewayMessageId: String?)
    case retry(at: Date, attempt: Int, reason: String)
    case failed(reason: String)
    case suppressed(reason: String)

    /// What can happen to a delivery.
    public enum Event: Sendable, Hashable {
        case claimed
        case gatewayAccepted(String?)
        case retryLater(at: Date, reason: String)
        case failedForGood(reason: String)
        case suppressed(reason: String)
        case cancelled
    }

    /// Whether nothing more will happen to the delivery.
    public var isFinal: Bool {
        switch self {
        case .accepted, .failed, .suppressed: true
        default: false
        }
    }

    /// The next state, or `nil` when the event does not apply.
    public func applying(_ event: Event, maximumAttempts: Int = 5) -> DeliveryState? {
        switch (self, event) {
        case (.pending, .claimed): return .sending(attempt: 1)
        case (.retry(_, let attempt, _), .claimed): return .sending(attempt: attempt + 1)
        case (.sending, .gatewayAccepted(let id)): return .accepted(gatewayMessageId: id)
        case (.sending(let attempt), .retryLater(let at, let reason)):
            return attempt >= maximumAttempts ? .failed(reason: "\(reason) (gave up after \(attempt) attempts)") : .retry(at: at, attempt: attempt, reason: reason)
        case (.sending, .failedForGood(let reason)): return .failed(reason: reason)
        case (.pending, .suppressed(let reason)), (.retry, .suppressed(let reason)): return .suppressed(reason: reason)
        case (.pending, .cancelled), (.retry, .cancelled): return .suppressed(reason: "cancelled")
        default: return nil
        }
    }
}
