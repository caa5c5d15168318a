import Foundation

/// Where one Live Activity push goes. Through APNs it goes to the Live Activity token itself. Through FCM the token is
/// still an APNs token, but FCM addresses the app by its registration token: the push goes to the installation's
/// current FCM device token and carries the Live Activity token as `apns.live_activity_token`.
public enum LiveActivityRoute: Sendable, Hashable {
    /// Send to this destination as it is.
    case direct(PushDestination)
    /// Send to the installation's FCM registration token, carrying the APNs Live Activity token.
    case throughFCM(registrationToken: String, liveActivityToken: String)
    /// Nothing can carry the push; the delivery is suppressed with this reason.
    case unreachable(reason: String)

    /// The suppression reason of an FCM Live Activity token whose installation holds no live FCM device token.
    public static let noFCMToken = "fcm_token_missing"

    /// Routes a Live Activity token. `carrier` is the installation's current device token and its status, read only
    /// for an FCM Live Activity token (``needsCarrier(_:)``).
    public static func route(_ token: PushDestination, carrier: (destination: PushDestination, status: TokenStatus)?) -> LiveActivityRoute {
        guard case .fcm(let liveActivityToken) = token else { return .direct(token) }
        guard let carrier, carrier.status.isLive, case .fcm(let registrationToken) = carrier.destination else {
            return .unreachable(reason: noFCMToken)
        }
        return .throughFCM(registrationToken: registrationToken, liveActivityToken: liveActivityToken)
    }

    /// Whether routing `token` needs the installation's device token: only an FCM Live Activity token does.
    public static func needsCarrier(_ token: PushDestination) -> Bool {
        token.platform == .fcm
    }
}
