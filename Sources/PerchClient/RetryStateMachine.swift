/// The retry decision for one request, as a pure state machine: feed it each attempt's result,
/// do what the returned ``Action`` says. No clock, no I/O — the caller sleeps and sends.
public struct RetryStateMachine: Sendable {
    /// What one attempt ended with.
    public enum AttemptResult: Sendable, Hashable {
        /// An HTTP answer with this status; `retryAfter` from its `Retry-After` header.
        case answered(status: Int, retryAfter: Duration?)
        /// No HTTP answer: refused, reset, timed out.
        case networkFailure
    }

    /// What to do next.
    public enum Action: Sendable, Hashable {
        /// The answer is final (a 2xx, or a 4xx that retrying cannot fix).
        case finish
        /// Wait this long, then send again.
        case retry(after: Duration)
        /// Retrying could help but the policy is spent (attempts, or a `Retry-After` over ``RetryPolicy/maxDelay``).
        case giveUp
    }

    public let policy: RetryPolicy
    /// Attempts made so far.
    public private(set) var attempts = 0

    public init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// Whether an answer with `status` may succeed when sent again.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || (500...599).contains(status)
    }

    /// Records an attempt's result and decides. `randomUnit` in `0..<1` draws the jitter.
    public mutating func next(after result: AttemptResult, randomUnit: Double) -> Action {
        attempts += 1
        switch result {
        case .answered(let status, _) where !Self.isRetryable(status: status):
            return .finish
        case .answered, .networkFailure:
            break
        }
        guard attempts < policy.maxAttempts else { return .giveUp }
        if case .answered(_, let retryAfter?) = result {
            return retryAfter <= policy.maxDelay ? .retry(after: max(retryAfter, .zero)) : .giveUp
        }
        return .retry(after: backoff(randomUnit: randomUnit))
    }

    /// Full jitter: uniformly between zero and `initialDelay × multiplier^(attempts − 1)`, capped at `maxDelay`.
    func backoff(randomUnit: Double) -> Duration {
        var ceiling = policy.initialDelay
        for _ in 1..<max(1, attempts) {
            ceiling = ceiling * policy.multiplier
            if ceiling >= policy.maxDelay { break }
        }
        ceiling = min(ceiling, policy.maxDelay)
        return ceiling * min(max(randomUnit, 0), 1)
    }
}
