import Foundation

extension PushMessage {
    /// Renders the message for APNs.
    ///
    /// The payload is `{"aps": {"alert": {"title", "body"}, "badge"?, "sound"?, "thread-id"?, "interruption-level"?,
    /// "relevance-score"?, "mutable-content": 1 (with an image)}, "url"?, "image"?, …data}`: custom data sits at the top
    /// level beside `aps` (a data key named `aps` is ignored), then the `apns.payload` block is merged over it.
    /// `collapseId` becomes `apns-collapse-id` and `urgency` `apns-priority` (10 for `high`, else 5); the headers in
    /// `apns.headers` override them.
    ///
    /// - Parameter expiration: when APNs may stop trying; overridden by an `apns-expiration` header in the block.
    /// - Throws: ``PushMessageError`` when the payload exceeds 4096 bytes (5120 for VoIP), the collapse id exceeds
    ///   64 bytes, or a header has an invalid value.
    public func renderAPNs(expiration: Date? = nil) throws(PushMessageError) -> APNsNotification {
        let alert: [String: JSONValue] = ["title": .string(title), "body": .string(body)]
        var aps: [String: JSONValue] = ["alert": .object(alert)]
        if let badge { aps["badge"] = .integer(badge) }
        if let sound { aps["sound"] = .string(sound) }
        if let threadId { aps["thread-id"] = .string(threadId) }
        if let interruptionLevel { aps["interruption-level"] = .string(interruptionLevel.rawValue) }
        if let relevanceScore { aps["relevance-score"] = .number(relevanceScore) }
        if image != nil { aps["mutable-content"] = .integer(1) }

        var root: [String: JSONValue] = [:]
        if let url { root["url"] = .string(url) }
        if let image { root["image"] = .string(image) }
        for (key, value) in data ?? [:] where key != "aps" { root[key] = value }
        root["aps"] = .object(aps)

        var payload = JSONValue.object(root)
        if let override = apns?["payload"], case .object = override {
            payload = payload.merging(override)
        }

        let headers = apns?["headers"]?.objectValue ?? [:]
        let pushType = headers["apns-push-type"]?.stringValue ?? "alert"
        var priority = urgency?.apnsPriority
        if let value = headers["apns-priority"] {
            guard let number = value.integerValue else { throw .invalidHeader("apns-priority") }
            priority = number
        }
        var expirationSeconds = expiration.map { Int($0.timeIntervalSince1970.rounded(.down)) }
        if let value = headers["apns-expiration"] {
            guard let number = value.integerValue, number >= 0 else { throw .invalidHeader("apns-expiration") }
            expirationSeconds = number
        }
        var collapseId = self.collapseId
        if let value = headers["apns-collapse-id"] {
            guard let text = value.stringValue else { throw .invalidHeader("apns-collapse-id") }
            collapseId = text
        }
        let bytes: Data
        do { bytes = try payload.jsonData() } catch { throw .invalidHeader("payload") }
        return try APNsNotification(
            payload: bytes,
            pushType: pushType,
            priority: priority,
            expiration: expirationSeconds,
            collapseId: collapseId
        )
    }
}
