import Foundation

extension SimulatedFCM {
    /// FCM's Live Activity rules for `message.apns`: a Live Activity push (`apns-push-type: liveactivity`) names the
    /// activity's APNs token in `apns.live_activity_token` — FCM's registration token only addresses the app — and that
    /// token is an APNs token (hex). With a Live Activity token, the headers may only say `liveactivity` and priority 5
    /// or 10, and `apns.payload.aps` must be one the device can apply: `event` (start, update or end), `timestamp` and
    /// `content-state`, plus `attributes-type` and `attributes` for a start. FCM itself passes a malformed `aps` on to
    /// APNs, which accepts it and the device drops it; the simulator answers 400 INVALID_ARGUMENT, as it does for APNs.
    static func liveActivityProblem(_ message: [String: Any]) -> String? {
        guard let apns = message["apns"] as? [String: Any] else { return nil }
        let headers = apns["headers"] as? [String: Any] ?? [:]
        if apns["headers"] != nil, apns["headers"] as? [String: Any] == nil {
            return "Invalid value at 'message.apns.headers': expected a map."
        }
        for name in headers.keys.sorted() where !(headers[name] is String) {
            return "Invalid value at 'message.apns.headers[\(name)].value' (TYPE_STRING)"
        }
        let pushType = (headers["apns-push-type"] as? String)?.lowercased()
        guard let tokenValue = apns["live_activity_token"] else {
            if pushType == "liveactivity" {
                return "A message with apns-push-type liveactivity must set message.apns.live_activity_token."
            }
            return nil
        }
        guard let token = tokenValue as? String, isAPNsToken(token) else {
            return "Invalid value at 'message.apns.live_activity_token': not a valid Live Activity token."
        }
        if let pushType, pushType != "liveactivity" {
            return "message.apns.live_activity_token needs apns-push-type liveactivity, not \(pushType)."
        }
        if let priority = headers["apns-priority"] as? String, !["5", "10"].contains(priority) {
            return "A Live Activity message takes apns-priority 5 or 10, not \(priority)."
        }
        guard let payload = apns["payload"] as? [String: Any], let aps = payload["aps"] as? [String: Any] else {
            return "A Live Activity message needs message.apns.payload.aps."
        }
        guard let event = aps["event"] as? String, ["start", "update", "end"].contains(event) else {
            return "Invalid value at 'message.apns.payload.aps.event': start, update or end."
        }
        guard aps["timestamp"] is NSNumber else { return "A Live Activity message needs message.apns.payload.aps.timestamp." }
        guard aps["content-state"] is [String: Any] else {
            return "A Live Activity message needs message.apns.payload.aps.content-state."
        }
        if event == "start", !(aps["attributes-type"] is String) || !(aps["attributes"] is [String: Any]) {
            return "A Live Activity start needs message.apns.payload.aps.attributes-type and attributes."
        }
        return nil
    }

    /// An APNs token: an even number of hex digits, 64 to 200 of them.
    static func isAPNsToken(_ token: String) -> Bool {
        (64...200).contains(token.utf8.count) && token.utf8.count.isMultiple(of: 2) && token.allSatisfy(\.isHexDigit)
    }
}
