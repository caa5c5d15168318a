import Foundation

extension LiveActivityEvent {
    /// Renders the push for an app that sends to iOS through FCM HTTP v1: the installation's FCM registration token
    /// addresses the app, `apns.live_activity_token` the activity (a push-to-start token for a start, the activity's
    /// update token for an update or end), and `apns.payload` is what APNs gets —
    ///
    /// ```json
    /// {"message": {"token": "<FCM registration token>",
    ///              "apns": {"live_activity_token": "<APNs Live Activity token>",
    ///                       "headers": {"apns-push-type": "liveactivity", "apns-priority": "10"},
    ///                       "payload": {"aps": {"timestamp": …, "event": "start", "content-state": {…}, …}, …data}}}}
    /// ```
    ///
    /// No `apns-topic`: FCM sets it from the app's bundle id. No `notification` block: the alert is `aps.alert`.
    /// - Throws: ``PushMessageError`` for a priority other than 5 or 10, or an APNs payload over 4096 bytes.
    public func renderFCM(registrationToken: String, liveActivityToken: String, alert: (title: String, body: String, sound: String?)?,
                          data: [String: JSONValue]?, timeToLive: Int? = nil, now: Date = Date()) throws(PushMessageError) -> FCMNotification {
        let priority = self.priority ?? Self.defaultPriority
        guard Self.priorities.contains(priority) else { throw .invalidHeader("apns-priority") }
        var payload: [String: JSONValue] = [:]
        for (key, value) in data ?? [:] where key != "aps" { payload[key] = value }
        payload["aps"] = .object(aps(alert: alert))
        var headers: [String: JSONValue] = ["apns-push-type": .string(Self.apnsPushType), "apns-priority": .string(String(priority))]
        if let timeToLive { headers["apns-expiration"] = .string(String(Int(now.timeIntervalSince1970) + max(0, timeToLive))) }
        let apns: [String: JSONValue] = [
            "live_activity_token": .string(liveActivityToken), "headers": .object(headers), "payload": .object(payload),
        ]
        let payloadSize: Int
        let body: Data
        do {
            payloadSize = try JSONValue.object(payload).jsonData().count
            body = try JSONValue.object(["message": .object(["token": .string(registrationToken), "apns": .object(apns)])]).jsonData()
        } catch {
            throw .invalidHeader("payload")
        }
        guard payloadSize <= APNsNotification.payloadLimit else {
            throw .payloadTooLarge(size: payloadSize, limit: APNsNotification.payloadLimit)
        }
        return FCMNotification(requestBody: body, payloadSize: payloadSize)
    }
}
