/// One entry of a gorush answer's `logs`: gorush's fields (`type`, `platform`, `token`, `message`,
/// `error`, `notif_id`) and Perch's additions (`index`, `token_index`, `outcome`, `reason`).
///
/// The token is masked the way gorush's `hide_token` does (only its ends show), so answers
/// never carry a raw token.
public struct GorushPushLog: Sendable, Hashable, Encodable {
    /// `failed-push` (gorush's type for every failure).
    public var type: String
    /// `ios` or `android` (gorush's words), or the number sent when it is unknown.
    public var platform: String
    public var token: String
    public var message: String
    public var error: String
    public var notifId: String?
    /// The notification's index in `notifications`.
    public var index: Int
    /// The token's index in that notification's `tokens`; `nil` for an error about the whole notification.
    public var tokenIndex: Int?
    /// Perch's outcome: `retired`, `kept`, `retry`, `message_error`, `credential_error`, `suppressed`, `rejected`.
    public var outcome: String
    /// The gateway's reason code (`Unregistered`, `UNREGISTERED`, …) or Perch's error code.
    public var reason: String?

    enum CodingKeys: String, CodingKey {
        case type, platform, token, message, error, notifId = "notif_id", index, tokenIndex = "token_index", outcome, reason
    }

    public init(platform: String, token: String, message: String, error: String, notifId: String?, index: Int, tokenIndex: Int?,
                outcome: String, reason: String?) {
        self.type = "failed-push"
        self.platform = platform
        self.token = Self.mask(token)
        self.message = message
        self.error = error
        self.notifId = notifId
        self.index = index
        self.tokenIndex = tokenIndex
        self.outcome = outcome
        self.reason = reason
    }

    /// Keeps the first and last four characters of a long token and stars the rest; a short value is all stars.
    public static func mask(_ token: String) -> String {
        guard token.count > 16 else { return String(repeating: "*", count: token.count) }
        return String(token.prefix(4)) + String(repeating: "*", count: token.count - 8) + String(token.suffix(4))
    }

    /// gorush's name for the platform number.
    public static func platformName(_ number: Int?) -> String {
        switch number {
        case 1: "ios"
        case 2: "android"
        case 3: "huawei"
        case let other?: String(other)
        case nil: "unknown"
        }
    }
}
