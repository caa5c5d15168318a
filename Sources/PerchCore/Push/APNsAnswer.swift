import Foundation

/// One APNs answer, read from the HTTP/2 response: status, `apns-id`, the `{reason, timestamp}` body and `Retry-After`.
public struct APNsAnswer: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// The `apns-id` response header.
    public var apnsId: String?
    /// The `reason` of an error body.
    public var reason: APNsErrorReason?
    /// The 410 `timestamp`: when APNs last confirmed the token was invalid (ms since 1970 on the wire).
    public var timestamp: Date?
    /// The `Retry-After` delay, when sent.
    public var retryAfter: Duration?

    /// Creates an answer from already-parsed parts.
    public init(status: Int, apnsId: String? = nil, reason: APNsErrorReason? = nil, timestamp: Date? = nil, retryAfter: Duration? = nil) {
        self.status = status
        self.apnsId = apnsId
        self.reason = reason
        self.timestamp = timestamp
        self.retryAfter = retryAfter
    }

    /// Parses an answer. `header` looks a response header up by its lower-case name.
    public init(status: Int, header: (String) -> String?, body: Data, now: Date) {
        self.status = status
        self.apnsId = header("apns-id")
        self.retryAfter = RetryAfter.delay(header("retry-after"), now: now)
        // A success has no body worth reading (APNs sends none): only an error's names a reason.
        if status != 200, !body.isEmpty, let object = try? JSONDecoder().decode([String: JSONValue].self, from: body) {
            self.reason = object["reason"]?.stringValue.map(APNsErrorReason.init(rawValue:))
            switch object["timestamp"] {
            case .integer(let ms): self.timestamp = Date(timeIntervalSince1970: Double(ms) / 1000)
            case .number(let ms): self.timestamp = Date(timeIntervalSince1970: ms / 1000)
            default: self.timestamp = nil
            }
        } else {
            self.reason = nil
            self.timestamp = nil
        }
    }
}
