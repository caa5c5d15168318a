import Foundation

extension PerchClient {
    /// Where Perch is, the app's publishable key, and how hard to try.
    public struct Configuration: Sendable {
        /// The Perch server, e.g. `https://push.example.com`.
        public var baseURL: URL
        /// The app's publishable key (`pk_…`): safe to ship in the app.
        public var publishableKey: String
        /// Retries on network errors, 5xx and 429.
        public var retry: RetryPolicy
        /// Seconds one attempt may take.
        public var timeout: TimeInterval
        /// Sent as `User-Agent`.
        public var userAgent: String

        /// Creates a configuration with a default for everything but the server and the key.
        public init(baseURL: URL, publishableKey: String, retry: RetryPolicy = RetryPolicy(), timeout: TimeInterval = 30,
                    userAgent: String = "PerchClient/1.0") {
            self.baseURL = baseURL
            self.publishableKey = publishableKey
            self.retry = retry
            self.timeout = timeout
            self.userAgent = userAgent
        }
    }
}
