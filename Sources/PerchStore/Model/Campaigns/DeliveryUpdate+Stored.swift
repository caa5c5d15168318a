import Foundation
import PerchCore

extension DeliveryUpdate {
    /// The columns of an outcome, written the same on every backend (times are seconds since 1970); `nil` columns keep
    /// what the row holds.
    public struct StoredOutcome: Sendable, Hashable, Encodable {
        public var state: String
        public var outcome: String
        public var reason: String?
        public var reasonDetail: String?
        public var gatewayStatus: Int?
        public var gatewayMessageId: String?
        public var dueAt: Double?
        public var acceptedAt: Double?
        /// The localization sent (`deliveries.locale`); `nil` keeps what the row has.
        public var locale: String?
    }

    /// The update as the store writes it at `now`; `nil` for `sending`, which a claim writes, never an update.
    public func storedOutcome(now: Date) -> StoredOutcome? {
        let at = now.timeIntervalSince1970
        let state: String, dueAt: Double?, acceptedAt: Double?, messageId: String?
        switch self.state {
        case .accepted(let id): (state, dueAt, acceptedAt, messageId) = ("accepted", nil, at, id)
        case .retry(let retryAt, _, _): (state, dueAt, acceptedAt, messageId) = ("retry", retryAt.timeIntervalSince1970, nil, nil)
        case .failed: (state, dueAt, acceptedAt, messageId) = ("failed", nil, nil, nil)
        case .suppressed: (state, dueAt, acceptedAt, messageId) = ("suppressed", nil, nil, nil)
        case .pending: (state, dueAt, acceptedAt, messageId) = ("pending", at, nil, nil)
        case .sending: return nil
        }
        var reasonCode = reason?.code
        if case .suppressed(let code) = self.state { reasonCode = code }
        return StoredOutcome(state: state, outcome: outcome.rawValue, reason: reasonCode, reasonDetail: reason?.detail,
                             gatewayStatus: reason?.status, gatewayMessageId: messageId, dueAt: dueAt, acceptedAt: acceptedAt, locale: locale)
    }
}
