import Foundation

/// A push message as the public contract spells it:
/// `{title, body, data?, url?, image?, badge?, sound?, interruptionLevel?, relevanceScore?, threadId?, collapseId?,
/// channelId?, urgency?, topic?, actions?, requireInteraction?, localizations?, apns?, fcm?, webpush?}`.
///
/// The common fields render to every platform that defines them (the table in `docs/campaigns.md`, checked by
/// ``MessageFieldRules`` when a message is created). The per-platform blocks are free JSON objects laid over
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
    /// How urgently iOS presents it (APNs `interruption-level`).
    public var interruptionLevel: InterruptionLevel?
    /// 0…1: how iOS ranks it in the notification summary (APNs `relevance-score`).
    public var relevanceScore: Double?
    /// Groups notifications in iOS's notification centre (APNs `thread-id`).
    public var threadId: String?
    /// A newer message with the same id replaces an undelivered or shown one: `apns-collapse-id`,
    /// FCM Android `collapse_key`, and Web Push `Topic` unless ``topic`` is set.
    public var collapseId: String?
    /// The Android notification channel (FCM `android.notification.channel_id`).
    public var channelId: String?
    /// Web Push `Urgency`; also sets `apns-priority` and FCM Android `priority` (see ``Urgency``).
    public var urgency: Urgency?
    /// The Web Push `Topic`: at most 32 base64url characters; a pending message with the same topic is replaced.
    public var topic: String?
    /// Up to two Web Push notification buttons.
    public var actions: [Action]?
    /// Web Push: the notification stays until the user acts on it.
    public var requireInteraction: Bool?
    /// Per BCP 47 tag (`de`, `pt-BR`), the fields that differ for installations with that locale (``Localization``).
    public var localizations: [String: Localization]?
    /// The APNs block: `{"headers": {…}, "payload": {…}}`.
    public var apns: [String: JSONValue]?
    /// The FCM block, merged into the HTTP v1 `message`.
    public var fcm: [String: JSONValue]?
    /// The Web Push block: `{"headers": {…}, "payload": {…}}`.
    public var webpush: [String: JSONValue]?

    /// The Web Push `Topic`: ``topic``, else ``collapseId``.
    public var webPushTopic: String? { topic ?? collapseId }

    /// Creates a message.
    public init(
        title: String,
        body: String,
        data: [String: JSONValue]? = nil,
        url: String? = nil,
        image: String? = nil,
        badge: Int? = nil,
        sound: String? = nil,
        interruptionLevel: InterruptionLevel? = nil,
        relevanceScore: Double? = nil,
        threadId: String? = nil,
        collapseId: String? = nil,
        channelId: String? = nil,
        urgency: Urgency? = nil,
        topic: String? = nil,
        actions: [Action]? = nil,
        requireInteraction: Bool? = nil,
        localizations: [String: Localization]? = nil,
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
        self.interruptionLevel = interruptionLevel
        self.relevanceScore = relevanceScore
        self.threadId = threadId
        self.collapseId = collapseId
        self.channelId = channelId
        self.urgency = urgency
        self.topic = topic
        self.actions = actions
        self.requireInteraction = requireInteraction
        self.localizations = localizations
        self.apns = apns
        self.fcm = fcm
        self.webpush = webpush
    }
}
