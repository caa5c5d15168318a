import Logging
import PerchCore

/// The seam between Perch's delivery logic and a push service: send one message to one token, get the outcome.
///
/// A gateway never throws: everything that can go wrong (a message too large, a refused endpoint, a timeout, a
/// rejected credential) is a ``DeliveryOutcome`` decided by the platform's outcome table.
public protocol PushGateway: Sendable {
    /// The platform this gateway sends to.
    var platform: Platform { get }

    /// Renders `message` for the platform and sends it to `destination`.
    func send(_ message: PushMessage, to destination: PushDestination, options: PushSendOptions) async -> DeliveryOutcome
}

extension PushGateway {
    /// Sends with default options.
    public func send(_ message: PushMessage, to destination: PushDestination) async -> DeliveryOutcome {
        await send(message, to: destination, options: PushSendOptions())
    }

    func wrongPlatform(_ destination: PushDestination) -> DeliveryOutcome {
        .messageError(reason: DeliveryFailureReason(
            platform: platform, status: nil, code: "WrongPlatform",
            detail: "a \(destination.platform.rawValue) destination was given to the \(platform.rawValue) gateway"))
    }
}

/// Per-send options.
public struct PushSendOptions: Sendable {
    /// Seconds the push service may hold the message for an offline device (APNs `apns-expiration`, FCM `ttl`,
    /// Web Push `TTL`). `nil`: the platform default (Web Push: four weeks).
    public var timeToLive: Int?
    /// A logger with the caller's metadata (request id, delivery id); the gateway's own logger when `nil`.
    public var logger: Logger?
    /// The push is this Live Activity event (start, update or end), with the message's title and body as its alert:
    /// APNs sends it as `liveactivity`; a gateway that cannot carry one answers a message error.
    public var liveActivity: LiveActivityEvent?
    /// Through FCM, the APNs Live Activity token (push-to-start or update) the push goes to, sent as
    /// `apns.live_activity_token`; the destination is then the installation's FCM registration token.
    public var liveActivityToken: String?

    /// Creates options.
    public init(timeToLive: Int? = nil, logger: Logger? = nil, liveActivity: LiveActivityEvent? = nil, liveActivityToken: String? = nil) {
        self.timeToLive = timeToLive
        self.logger = logger
        self.liveActivity = liveActivity
        self.liveActivityToken = liveActivityToken
    }
}

extension PushMessageError {
    func outcome(_ platform: Platform) -> DeliveryOutcome {
        .messageError(reason: DeliveryFailureReason(platform: platform, status: nil, code: reason, detail: description))
    }
}
