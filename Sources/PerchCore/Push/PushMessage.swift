import Foundation

/// A push message as the public contract spells it:
/// `{title, body, data?, url?, image?, badge?, sound?, apns?, fcm?, webpush?}`.
///
/// The common fields render to every platform. The per-platform blocks are free JSON objects laid over
/// what Perch renders for that platform (objects merge member by member, anything else replaces):
///
/// - `apns`: `{"headers": {"apns-push-type": …, "apns-priority": …, "apns-expiration": …, "apns-collapse-id": …},
///   "payload": {…}}` — the headers go on the HTTP/2 request, `payload` is merged into the APNs payload
///   (the shape of FCM's `ApnsConfig`).
/// - `fcm`: merged into the FCM HTTP v1 `message` object (`android`, `apns`, `webpush`, `fcm_options`, …);
///   the `token` is always Perch's.
/// - `webpush`: `{"headers": {"TTL": …, "Urgency": …, "Topic": …}, "payload": {…}}` — `payload` is merged into the
///   Web Push plaintext (see ``WebPushNotification``).
public struct PushMessage: Sendable, Hashable, Codable {
    /// The notification title.
    public var title: String
    /// The notification body text.
    public var body: String
    /// Custom key-value data delivered with the notification.
    public var data: [String: JSONValue]?
    /// A URL the client opens when the notification is tapped.
    public var url: String?
    /// The URL of an image to show with the notification.
    public var image: String?
    /// The app icon badge number (APNs; FCM `notification_count` on Android).
    public var badge: Int?
    /// The sound to play (`"default"` or a file name).
    public var sound: String?
    /// The APNs block: `{"headers": {…}, "payload": {…}}`.
    public var apns: [String: JSONValue]?
    /// The FCM block, merged into the HTTP v1 `message`.
    public var fcm: [String: JSONValue]?
    /// The Web Push block: `{"headers": {…}, "payload": {…}}`.
    public var webpush: [String: JSONValue]?

    /// Creates a message.
    public init(
        title: String,
        body: String,
        data: [String: JSONValue]? = nil,
        url: String? = nil,
        image: String? = nil,
        badge: Int? = nil,
        sound: String? = nil,
        apns: [String: JSONValue]? = nil,
        fcm: [String: JSONValue]? = nil,
        webpush: [String: JSONValue]? = nil
    ) {
        self.title = title
        self.body = body
        self.data = data
        self.url = url
        self.image = image
        self.badge = badge
        self.sound = sound
        self.apns = apns
        self.fcm = fcm
        self.webpush = webpush
    }
}
