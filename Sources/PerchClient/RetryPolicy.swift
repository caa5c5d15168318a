/// How ``PerchClient`` retries: exponential backoff with full jitter on network errors, 5xx and 429,
/// honouring `Retry-After`; never on other 4xx answers.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included (1 turns retries off).
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry; it doubles (``multiplier``) with each further one.
    public var initialDelay: Duration
    /// No single wait is longer; a `Retry-After` asking for more ends the retries instead.
    public var maxDelay: Duration
    /// Growth of the backoff ceiling per attempt.
    public var multiplier: Double

    /// Creates a policy; the defaults suit an app talking to its backend.
    public init(maxAttempts: Int = 5, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30), multiplier: Double = 2) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = max(1, multiplier)
    }

    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)
}
