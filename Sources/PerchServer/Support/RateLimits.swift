import PerchCore

/// The limiters of a ``RateLimitPolicy``, one per kind that is on.
public struct RateLimits: Sendable {
    public let policy: RateLimitPolicy
    let perInstallation: RateLimiter?
    let perClientAddress: RateLimiter?
    let perPublishableKey: RateLimiter?

    public init(policy: RateLimitPolicy) {
        self.policy = policy
        perInstallation = policy.perInstallation.map { RateLimiter(limit: $0, maximumTracked: policy.maximumTracked) }
        perClientAddress = policy.perClientAddress.map { RateLimiter(limit: $0, maximumTracked: policy.maximumTracked) }
        perPublishableKey = policy.perPublishableKey.map { RateLimiter(limit: $0, maximumTracked: policy.maximumTracked) }
    }
}
