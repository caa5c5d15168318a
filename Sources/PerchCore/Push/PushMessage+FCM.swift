import Foundation

extension PushMessage {
    /// Renders the message as an FCM HTTP v1 request body `{"message": {...}}` for one registration token.
    ///
    /// `notification` holds title, body and image; `data` holds the custom data with every value converted to a
    /// string (strings unchanged, other values as their JSON text) plus `url` when set; `android` carries
    /// `collapse_key` (collapseId), `priority` (urgency) and `notification` with sound, badge (`notification_count`) and
    /// `channel_id`; `apns` carries the iOS fields (`headers` `apns-priority`, `apns-collapse-id`, `apns-expiration`;
    /// `payload.aps` sound, badge, thread-id, interruption-level, relevance-score); `webpush` carries `headers`
    /// (`TTL`, `Urgency`, `Topic`), `notification` (`requireInteraction`, `actions`) and `fcm_options.link` (an https URL).
    /// Then the `fcm` block is merged over the message and the token is set last, so a block can never redirect the send.
    ///
    /// - Parameter timeToLive: seconds the message may wait; becomes `android.ttl`, `apns-expiration` and Web Push `TTL`.
    /// - Throws: ``PushMessageError/payloadTooLarge(size:limit:)`` when `notification` plus `data` exceed 4096 bytes.
    public func renderFCM(token: String, timeToLive: Int? = nil, now: Date = Date()) throws(PushMessageError) -> FCMNotification {
        var notification: [String: JSONValue] = ["title": .string(title), "body": .string(body)]
        if let image { notification["image"] = .string(image) }

        var dataStrings: [String: JSONValue] = [:]
        if let url { dataStrings["url"] = .string(url) }
        for (key, value) in data ?? [:] { dataStrings[key] = .string(value.fcmDataString) }

        var message: [String: JSONValue] = ["notification": .object(notification)]
        if !dataStrings.isEmpty { message["data"] = .object(dataStrings) }

        var androidNotification: [String: JSONValue] = [:]
        if let sound { androidNotification["sound"] = .string(sound) }
        if let badge { androidNotification["notification_count"] = .integer(badge) }
        if let channelId { androidNotification["channel_id"] = .string(channelId) }
        var android: [String: JSONValue] = [:]
        if let collapseId { android["collapse_key"] = .string(collapseId) }
        if let urgency { android["priority"] = .string(urgency.androidPriority) }
        if !androidNotification.isEmpty { android["notification"] = .object(androidNotification) }
        if let timeToLive { android["ttl"] = .string("\(max(0, timeToLive))s") }
        if !android.isEmpty { message["android"] = .object(android) }

        var aps: [String: JSONValue] = [:]
        if let sound { aps["sound"] = .string(sound) }
        if let badge { aps["badge"] = .integer(badge) }
        if let threadId { aps["thread-id"] = .string(threadId) }
        if let interruptionLevel { aps["interruption-level"] = .string(interruptionLevel.rawValue) }
        if let relevanceScore { aps["relevance-score"] = .number(relevanceScore) }
        if image != nil { aps["mutable-content"] = .integer(1) }
        var apnsConfig: [String: JSONValue] = [:]
        if !aps.isEmpty { apnsConfig["payload"] = .object(["aps": .object(aps)]) }
        // ApnsConfig.headers is a map of strings.
        var apnsHeaders: [String: JSONValue] = [:]
        if let timeToLive { apnsHeaders["apns-expiration"] = .string(String(Int(now.timeIntervalSince1970) + max(0, timeToLive))) }
        if let urgency { apnsHeaders["apns-priority"] = .string(String(urgency.apnsPriority)) }
        if let collapseId { apnsHeaders["apns-collapse-id"] = .string(collapseId) }
        if !apnsHeaders.isEmpty { apnsConfig["headers"] = .object(apnsHeaders) }
        if !apnsConfig.isEmpty { message["apns"] = .object(apnsConfig) }

        var webpush: [String: JSONValue] = [:]
        if let url, url.lowercased().hasPrefix("https://") { webpush["fcm_options"] = .object(["link": .string(url)]) }
        var webpushHeaders: [String: JSONValue] = [:]
        if let timeToLive { webpushHeaders["TTL"] = .string(String(max(0, timeToLive))) }
        if let urgency { webpushHeaders["Urgency"] = .string(urgency.rawValue) }
        if let topic = webPushTopic { webpushHeaders["Topic"] = .string(topic) }
        if !webpushHeaders.isEmpty { webpush["headers"] = .object(webpushHeaders) }
        var webNotification: [String: JSONValue] = [:]
        if let requireInteraction { webNotification["requireInteraction"] = .bool(requireInteraction) }
        if let actions, !actions.isEmpty { webNotification["actions"] = .array(actions.map(\.json)) }
        if !webNotification.isEmpty { webpush["notification"] = .object(webNotification) }
        if !webpush.isEmpty { message["webpush"] = .object(webpush) }

        var merged = JSONValue.object(message)
        if let fcm { merged = merged.merging(.object(fcm)) }
        guard case .object(var final) = merged else { throw .invalidHeader("message") }
        // FCM rejects non-string data values; a block may have added some.
        if let blockData = final["data"]?.objectValue {
            final["data"] = .object(blockData.mapValues { .string($0.fcmDataString) })
        }
        final["token"] = .string(token)

        let payloadSize: Int
        let body: Data
        do {
            payloadSize = try (final["notification"]?.jsonData().count ?? 0) + (final["data"]?.jsonData().count ?? 0)
            body = try JSONValue.object(["message": .object(final)]).jsonData()
        } catch {
            throw .invalidHeader("message")
        }
        if payloadSize > FCMNotification.payloadLimit {
            throw .payloadTooLarge(size: payloadSize, limit: FCMNotification.payloadLimit)
        }
        return FCMNotification(requestBody: body, payloadSize: payloadSize)
    }
}
