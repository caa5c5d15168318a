import Foundation

/// One push service answer to a Web Push request (RFC 8030): status, `Location` and `Retry-After`.
public struct WebPushAnswer: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The `Location` of the created push message resource.
    public var location: String?
    /// The `Retry-After` delay, when sent.
    public var retryAfter: Duration?

    /// Creates an answer.
    public init(status: Int, location: String? = nil, retryAfter: Duration? = nil) {
        self.status = status
        self.location = location
        self.retryAfter = retryAfter
    }

    /// Parses an answer. `header` looks a response header up by its lower-case name.
    public init(status: Int, header: (String) -> String?, now: Date) {
        self.init(status: status, location: header("location"), retryAfter: RetryAfter.delay(header("retry-after"), now: now))
    }
}
