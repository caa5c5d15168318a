import Foundation

extension PushMessage {
    /// Renders the message as an FCM HTTP v1 request body `{"message": {...}}` for one registration token.
    ///
    /// `notification` holds title, body and image; `data` holds the custom data with every value converted to a
    /// string (strings unchanged, other values as their JSON text) plus `url` when set; `android.notification`
    /// carries sound and badge (`notification_count`), `apns.payload.aps` carries sound and badge for iOS,
    /// `webpush.fcm_options.link` carries an https URL. Then the `fcm` block is merged over the message and the
    /// token is set last, so a block can never redirect the send.
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
        var android: [String: JSONValue] = [:]
        if !androidNotification.isEmpty { android["notification"] = .object(androidNotification) }
        if let timeToLive { android["ttl"] = .string("\(max(0, timeToLive))s") }
        if !android.isEmpty { message["android"] = .object(android) }

        var aps: [String: JSONValue] = [:]
        if let sound { aps["sound"] = .string(sound) }
        if let badge { aps["badge"] = .integer(badge) }
        if image != nil { aps["mutable-content"] = .integer(1) }
        var apnsConfig: [String: JSONValue] = [:]
        if !aps.isEmpty { apnsConfig["payload"] = .object(["aps": .object(aps)]) }
        if let timeToLive {
            let expiry = Int(now.timeIntervalSince1970) + max(0, timeToLive)
            apnsConfig["headers"] = .object(["apns-expiration": .string(String(expiry))])
        }
        if !apnsConfig.isEmpty { message["apns"] = .object(apnsConfig) }

        var webpush: [String: JSONValue] = [:]
        if let url, url.lowercased().hasPrefix("https://") { webpush["fcm_options"] = .object(["link": .string(url)]) }
        if let timeToLive { webpush["headers"] = .object(["TTL": .string(String(max(0, timeToLive)))]) }
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
