import Foundation

/// What one gateway answer means for one delivery and its token. Produced by the outcome tables
/// (``APNsOutcomeTable``, ``FCMOutcomeTable``, ``WebPushOutcomeTable``); see `docs/outcomes.md`.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The gateway took the message. `gatewayMessageId` is APNs' `apns-id`, FCM's message `name` or the
    /// Web Push `Location`.
    case accepted(gatewayMessageId: String?)
    /// The token is dead: retire it with this reason. `timestamp` is when the gateway last knew it valid
    /// (APNs 410 `timestamp`); a registration newer than that must not be retired.
    case retireToken(reason: DeliveryFailureReason, timestamp: Date?)
    /// Try again later, no earlier than `after` when it is set (`Retry-After`, or a platform's floor). The
    /// token stays as it is.
    case retry(after: Duration?, reason: DeliveryFailureReason)
    /// The message itself is wrong (too large, bad header, …): don't retry it, don't touch the token.
    case messageError(reason: DeliveryFailureReason)
    /// The app's credentials or gateway configuration are wrong: stop that app's sends and surface it; touch no token.
    case credentialError(reason: DeliveryFailureReason)

    /// The reason of every outcome except `accepted`.
    public var reason: DeliveryFailureReason? {
        switch self {
        case .accepted: return nil
        case .retireToken(let reason, _), .retry(_, let reason), .messageError(let reason), .credentialError(let reason):
            return reason
        }
    }

    /// Whether the token must be retired.
    public var retiresToken: Bool {
        if case .retireToken = self { return true }
        return false
    }
}

/// Why a delivery did not go through: the gateway's own reason code, kept verbatim, with its platform and status.
///
/// `code` is APNs' `reason` (`Unregistered`, `BadDeviceToken`, …), FCM's `errorCode` (`UNREGISTERED`, …) or its
/// `status` when no `errorCode` came, the HTTP reason phrase for Web Push (`Gone`), or one of Perch's own codes for
/// answers that never arrived (``timeout``, ``transport``, ``endpointRefused``, …).
public struct DeliveryFailureReason: Sendable, Hashable, CustomStringConvertible {
    /// The platform that answered.
    public var platform: Platform
    /// The HTTP status, `nil` when no answer arrived.
    public var status: Int?
    /// The reason code.
    public var code: String
    /// A short explanation (never containing a token or key).
    public var detail: String?

    /// Creates a reason.
    public init(platform: Platform, status: Int?, code: String, detail: String? = nil) {
        self.platform = platform
        self.status = status
        self.code = code
        self.detail = detail
    }

    /// No answer within the request timeout.
    public static func timeout(_ platform: Platform) -> Self {
        .init(platform: platform, status: nil, code: "Timeout", detail: "no answer within the request timeout")
    }
    /// The connection failed or was reset before an answer arrived.
    public static func transport(_ platform: Platform, detail: String? = nil) -> Self {
        .init(platform: platform, status: nil, code: "TransportError", detail: detail)
    }
    /// The Web Push endpoint was refused by the endpoint host policy before sending.
    public static let endpointRefused = Self(platform: .webpush, status: nil, code: "EndpointRefused")
    /// The Web Push endpoint's host could not be resolved just before sending (timeout, resolver failure): retried.
    public static func endpointUnresolved(detail: String? = nil) -> Self {
        .init(platform: .webpush, status: nil, code: "EndpointUnresolved", detail: detail)
    }

    /// `platform:status:code`, e.g. `apns:410:Unregistered`.
    public var description: String {
        "\(platform.rawValue):\(status.map(String.init) ?? "-"):\(code)"
    }
}
