/// A failure the simulator can impose on a push request instead of its real answer.
public enum Fault: Sendable, Hashable {
    /// Answer with this HTTP status and the platform's error body. `reason` overrides the default
    /// reason (APNs `reason`, FCM `errorCode`, Web Push `message`); `retryAfter` adds `Retry-After` seconds.
    case status(Int, reason: String?, retryAfter: Int?)
    /// Reset the TCP connection (SO_LINGER 0 then close: the client sees ECONNRESET, every stream on it fails).
    case reset
    /// Never answer; the stream stays open until the client gives up or the simulator shuts down.
    case stall

    /// 429 with `Retry-After`.
    public static func tooManyRequests(retryAfter: Int = 1) -> Fault {
        .status(429, reason: nil, retryAfter: retryAfter)
    }
    /// 500 Internal Server Error.
    public static let internalServerError = Fault.status(500, reason: nil, retryAfter: nil)
    /// 503 Service Unavailable.
    public static let serviceUnavailable = Fault.status(503, reason: nil, retryAfter: nil)
}
