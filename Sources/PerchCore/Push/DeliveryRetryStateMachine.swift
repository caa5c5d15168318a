/// The retry loop of one delivery as a pure state machine: feed it each attempt's ``DeliveryOutcome`` and it says
/// what to do next. It never sleeps and never sends; the caller does, using the delay it returns.
///
/// Backoff is exponential with "equal jitter" (half the step fixed, half random) so that many deliveries failing
/// together spread out, and never shorter than the outcome's floor (`Retry-After`, or `QUOTA_EXCEEDED`'s minute).
public struct DeliveryRetryStateMachine: Sendable {
    /// What to do after an attempt.
    public enum Action: Sendable, Hashable {
        /// The delivery is settled: accepted, token retired, or a message error. Record the outcome.
        case finish(DeliveryOutcome)
        /// Send again after this delay.
        case retry(after: Duration)
        /// Retries are exhausted; record the last outcome as failed. The token is untouched.
        case giveUp(DeliveryOutcome)
        /// The app's credentials are wrong: stop the app's sends and surface the outcome. The token is untouched.
        case stopApp(DeliveryOutcome)
    }

    /// The policy in force.
    public let policy: RetryPolicy
    /// Attempts made so far.
    public private(set) var attempts = 0

    /// Starts a delivery with no attempts made.
    public init(policy: RetryPolicy = .init(), attemptsSoFar: Int = 0) {
        self.policy = policy
        self.attempts = attemptsSoFar
    }

    /// Records one attempt's outcome and decides the next step.
    ///
    /// - Parameter random: source of the jitter (inject a seeded generator in tests).
    public mutating func attemptFinished(with outcome: DeliveryOutcome, random: inout some RandomNumberGenerator) -> Action {
        attempts += 1
        switch outcome {
        case .accepted, .retireToken, .messageError:
            return .finish(outcome)
        case .credentialError:
            return .stopApp(outcome)
        case .retry(let floor, _):
            guard attempts < policy.maxAttempts else { return .giveUp(outcome) }
            let step = backoff(afterAttempt: attempts)
            let half = step / 2
            let jittered = half + half * Double.random(in: 0..<1, using: &random)
            return .retry(after: max(jittered, floor ?? .zero))
        }
    }

    /// The un-jittered backoff after the given attempt: initial × multiplier^(attempt−1), capped.
    public func backoff(afterAttempt attempt: Int) -> Duration {
        var delay = policy.initialDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * policy.multiplier
            if delay >= policy.maximumDelay { return policy.maximumDelay }
        }
        return min(delay, policy.maximumDelay)
    }
}
