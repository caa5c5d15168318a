import Foundation

/// One FCM HTTP v1 answer: status, the message `name` on success, or the error's `status`, `errorCode`
/// (from `error.details[].errorCode`) and whether the error names the registration token.
public struct FCMAnswer: Sendable, Hashable {
    /// The HTTP status.
    public var status: Int
    /// `name` of a sent message: `projects/{project}/messages/{id}`.
    public var messageName: String?
    /// `error.status`, e.g. `NOT_FOUND`.
    public var errorStatus: String?
    /// `error.details[].errorCode` of the `FcmError` detail.
    public var errorCode: FCMErrorCode?
    /// Whether the error is about `message.token` (a `BadRequest` field violation on it, or a message naming the
    /// registration token).
    public var namesToken: Bool
    /// The `Retry-After` delay, when sent.
    public var retryAfter: Duration?

    /// Creates an answer from already-parsed parts.
    public init(
        status: Int,
        messageName: String? = nil,
        errorStatus: String? = nil,
        errorCode: FCMErrorCode? = nil,
        namesToken: Bool = false,
        retryAfter: Duration? = nil
    ) {
        self.status = status
        self.messageName = messageName
        self.errorStatus = errorStatus
        self.errorCode = errorCode
        self.namesToken = namesToken
        self.retryAfter = retryAfter
    }

    /// Parses an answer. `header` looks a response header up by its lower-case name.
    public init(status: Int, header: (String) -> String?, body: Data, now: Date) {
        self.init(status: status, retryAfter: RetryAfter.delay(header("retry-after"), now: now))
        guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: body) else { return }
        messageName = object["name"]?.stringValue
        guard let error = object["error"]?.objectValue else { return }
        errorStatus = error["status"]?.stringValue
        if case .array(let details) = error["details"] {
            for detail in details.compactMap(\.objectValue) {
                if let code = detail["errorCode"]?.stringValue, errorCode == nil {
                    errorCode = FCMErrorCode(rawValue: code)
                }
                if case .array(let violations) = detail["fieldViolations"] {
                    for violation in violations.compactMap(\.objectValue)
                    where violation["field"]?.stringValue == "message.token" {
                        namesToken = true
                    }
                }
            }
        }
        if let message = error["message"]?.stringValue?.lowercased(),
            message.contains("registration token")
        {
            namesToken = true
        }
    }
}
