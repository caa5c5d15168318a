import Foundation

/// What one gateway answer does to one durable delivery: its next state, the outcome recorded for
/// reports, and what else it calls for (retire the token, pause the app's gateway), which
/// ``DeliveryStateMachine/answered(_:now:random:)`` turns into the batch's writes.
/// Pure; built on ``DeliveryRetryStateMachine`` (backoff, `Retry-After`) and ``DeliveryState``.
public struct DeliveryVerdict: Sendable, Hashable {
    /// The recorded outcome, one of ``Outcome``.
    public enum Outcome: String, Sendable, Hashable, Codable, CaseIterable {
        case accepted
        /// The gateway said the token is dead; the token is retired.
        case retired
        /// The gateway said dead, but the token was registered again since (APNs 410 timestamp): kept.
        case kept
        /// Not delivered yet; tried again later.
        case retry
        case messageError = "message_error"
        case credentialError = "credential_error"
        /// Retries ran out.
        case failed
        /// The message's time to live passed before it could go out.
        case expired
        case suppressed
    }

    public var state: DeliveryState
    public var outcome: Outcome
    public var reason: DeliveryFailureReason?
    /// Retire the token with this reason; `unlessSeenAfter` is APNs 410's timestamp.
    public var retire: Retirement?
    /// Pause the app's sends on this platform until its credentials change.
    public var pausesGateway: Bool

    public struct Retirement: Sendable, Hashable {
        public var reason: String
        public var unlessSeenAfter: Date?
    }

    /// The verdict on an attempt (`attempt` counts from 1) that got `answer` at `now`.
    public static func after(_ answer: DeliveryOutcome, attempt: Int, now: Date, expiresAt: Date?, policy: RetryPolicy = .init(),
                             random: inout some RandomNumberGenerator) -> DeliveryVerdict {
        var machine = DeliveryRetryStateMachine(policy: policy, attemptsSoFar: attempt - 1)
        let sending = DeliveryState.sending(attempt: attempt)
        func final(_ event: DeliveryState.Event) -> DeliveryState { sending.applying(event, maximumAttempts: policy.maxAttempts) ?? .failed(reason: "internal") }
        switch machine.attemptFinished(with: answer, random: &random) {
        case .finish(.accepted(let id)):
            return DeliveryVerdict(state: final(.gatewayAccepted(id)), outcome: .accepted, reason: nil, retire: nil, pausesGateway: false)
        case .finish(.retireToken(let reason, let timestamp)):
            return DeliveryVerdict(state: final(.failedForGood(reason: reason.code)), outcome: .retired, reason: reason,
                                   retire: Retirement(reason: reason.code, unlessSeenAfter: timestamp), pausesGateway: false)
        case .finish(let other):
            let reason = other.reason
            return DeliveryVerdict(state: final(.failedForGood(reason: reason?.code ?? "MessageError")), outcome: .messageError, reason: reason,
                                   retire: nil, pausesGateway: false)
        case .stopApp(let outcome):
            // The message is fine; the credentials are not. Park the delivery until the gateway is resumed.
            let reason = outcome.reason
            return DeliveryVerdict(state: final(.retryLater(at: now.addingTimeInterval(60), reason: reason?.code ?? "CredentialError")),
                                   outcome: .credentialError, reason: reason, retire: nil, pausesGateway: true)
        case .retry(let after):
            let at = now.addingTimeInterval(after.timeInterval)
            if let expiresAt, at >= expiresAt {
                return DeliveryVerdict(state: .failed(reason: "expired"), outcome: .expired, reason: answer.reason, retire: nil, pausesGateway: false)
            }
            return DeliveryVerdict(state: final(.retryLater(at: at, reason: answer.reason?.code ?? "retry")), outcome: .retry,
                                   reason: answer.reason, retire: nil, pausesGateway: false)
        case .giveUp(let outcome):
            return DeliveryVerdict(state: .failed(reason: outcome.reason?.code ?? "retry"), outcome: .failed, reason: outcome.reason,
                                   retire: nil, pausesGateway: false)
        }
    }
}
