import Foundation

extension PushMessage {
    /// Renders the message as Web Push plaintext (the JSON described at ``WebPushNotification``) and headers:
    /// `urgency` becomes `Urgency`, `topic` (else `collapseId`) `Topic`; `webpush.headers` override them.
    ///
    /// - Parameter timeToLive: `TTL` in seconds when `webpush.headers.TTL` does not set one (default four weeks).
    /// - Throws: ``PushMessageError`` when the plaintext exceeds 3993 bytes, or `TTL`, `Urgency` or `Topic` is invalid.
    public func renderWebPush(timeToLive: Int? = nil) throws(PushMessageError) -> WebPushNotification {
        var object: [String: JSONValue] = ["title": .string(title), "body": .string(body)]
        if let url { object["url"] = .string(url) }
        if let image { object["image"] = .string(image) }
        if let badge { object["badge"] = .integer(badge) }
        if let sound { object["sound"] = .string(sound) }
        if let actions, !actions.isEmpty { object["actions"] = .array(actions.map(\.json)) }
        if let requireInteraction { object["requireInteraction"] = .bool(requireInteraction) }
        if let data, !data.isEmpty { object["data"] = .object(data) }

        var plaintext = JSONValue.object(object)
        if let override = webpush?["payload"], case .object = override {
            plaintext = plaintext.merging(override)
        }
        let headers = webpush?["headers"]?.objectValue ?? [:]
        var ttl = timeToLive ?? WebPushNotification.defaultTimeToLive
        if let value = headers["TTL"] {
            guard let seconds = value.integerValue else { throw .invalidHeader("TTL") }
            ttl = seconds
        }
        var urgency = self.urgency?.rawValue
        if let value = headers["Urgency"] {
            guard let text = value.stringValue else { throw .invalidHeader("Urgency") }
            urgency = text
        }
        var topic = webPushTopic
        if let value = headers["Topic"] {
            guard let text = value.stringValue else { throw .topicInvalid }
            topic = text
        }
        let bytes: Data
        do { bytes = try plaintext.jsonData() } catch { throw .invalidHeader("payload") }
        return try WebPushNotification(plaintext: bytes, timeToLive: ttl, urgency: urgency, topic: topic)
    }
}
