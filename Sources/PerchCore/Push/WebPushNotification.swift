import Foundation

/// A ``PushMessage`` rendered for Web Push: the plaintext a service worker reads, and the request headers.
///
/// The plaintext is UTF-8 JSON, the format Perch's browser SDK consumes in its `push` event handler:
///
/// ```json
/// {"title": "…", "body": "…", "url": "https://…", "image": "https://…", "badge": 3, "sound": "default",
///  "actions": [{"action": "open", "title": "Open", "icon": "https://…"}], "requireInteraction": true,
///  "data": {"any": "custom data"}}
/// ```
///
/// `title` and `body` are always present; `url`, `image`, `badge`, `sound`, `actions`, `requireInteraction` and `data`
/// only when set. The `webpush.payload` block of the message is merged over this object, so a service worker may find
/// extra members (`icon`, `tag`, …) that it can pass on to `showNotification`.
public struct WebPushNotification: Sendable, Hashable {
    /// The largest plaintext that fits one 4096-byte aes128gcm record: 4096 − 86 (header) − 16 (tag) − 1 (delimiter).
    public static let plaintextLimit = 3993
    /// The `TTL` sent when neither the message nor the caller sets one: four weeks.
    public static let defaultTimeToLive = 2_419_200

    /// The JSON plaintext, encrypted per subscription before sending.
    public var plaintext: Data
    /// `TTL` in seconds; always sent.
    public var timeToLive: Int
    /// `Urgency`: `very-low`, `low`, `normal` or `high`.
    public var urgency: String?
    /// `Topic`: at most 32 base64url characters; replaces a pending message with the same topic.
    public var topic: String?

    /// Creates a notification, checking the plaintext size, the urgency and the topic.
    public init(plaintext: Data, timeToLive: Int = Self.defaultTimeToLive, urgency: String? = nil, topic: String? = nil)
        throws(PushMessageError)
    {
        self.plaintext = plaintext
        self.timeToLive = timeToLive
        self.urgency = urgency
        self.topic = topic
        if plaintext.count > Self.plaintextLimit {
            throw .payloadTooLarge(size: plaintext.count, limit: Self.plaintextLimit)
        }
        if timeToLive < 0 { throw .invalidHeader("TTL") }
        if let urgency, !["very-low", "low", "normal", "high"].contains(urgency) { throw .invalidHeader("Urgency") }
        if let topic {
            let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
            guard !topic.isEmpty, topic.count <= 32, topic.allSatisfy(alphabet.contains) else { throw .topicInvalid }
        }
    }
}
