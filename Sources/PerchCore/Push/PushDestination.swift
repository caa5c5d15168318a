/// Where one push goes: one token of one platform.
public enum PushDestination: Sendable, Hashable {
    /// An APNs device token (hex) and the environment it was registered for (`nil` when unknown; then a
    /// `BadDeviceToken` answer never retires it).
    case apns(token: String, environment: APNsEnvironment?)
    /// An FCM registration token.
    case fcm(token: String)
    /// A Web Push subscription: the push service endpoint and the browser's keys (base64url, as in
    /// `PushSubscription.toJSON()`).
    case webPush(endpoint: String, p256dh: String, auth: String)

    /// The platform of the destination.
    public var platform: Platform {
        switch self {
        case .apns: .apns
        case .fcm: .fcm
        case .webPush: .webpush
        }
    }
}
