import Foundation

extension LiveActivityEvent {
    /// The APNs push type and topic suffix of every Live Activity push.
    public static let apnsPushType = "liveactivity"

    /// The `aps` dictionary: `timestamp`, `event`, `content-state`, and for a start `attributes-type` + `attributes`;
    /// `stale-date`, `dismissal-date`, `relevance-score` and `alert` when given.
    public func aps(alert: (title: String, body: String, sound: String?)?) -> [String: JSONValue] {
        var aps: [String: JSONValue] = [
            "timestamp": .integer(timestamp), "event": .string(event.rawValue), "content-state": .object(contentState),
        ]
        if event == .start {
            if let attributesType { aps["attributes-type"] = .string(attributesType) }
            aps["attributes"] = .object(attributes ?? [:])
        }
        if let staleDate { aps["stale-date"] = .integer(staleDate) }
        if let dismissalDate { aps["dismissal-date"] = .integer(dismissalDate) }
        if let relevanceScore { aps["relevance-score"] = .number(relevanceScore) }
        if let alert {
            var object: [String: JSONValue] = ["title": .string(alert.title), "body": .string(alert.body)]
            if let sound = alert.sound { object["sound"] = .string(sound) }
            aps["alert"] = .object(object)
        }
        return aps
    }

    /// Renders the push for APNs: `{"aps": {…}, …data}` with `apns-push-type: liveactivity` and priority 5 or 10.
    /// - Throws: ``PushMessageError`` for a priority other than 5 or 10, or a payload over 4096 bytes.
    public func renderAPNs(alert: (title: String, body: String, sound: String?)?, data: [String: JSONValue]?,
                           expiration: Date? = nil) throws(PushMessageError) -> APNsNotification {
        let priority = self.priority ?? Self.defaultPriority
        guard Self.priorities.contains(priority) else { throw .invalidHeader("apns-priority") }
        var root: [String: JSONValue] = [:]
        for (key, value) in data ?? [:] where key != "aps" { root[key] = value }
        root["aps"] = .object(aps(alert: alert))
        let bytes: Data
        do { bytes = try JSONValue.object(root).jsonData() } catch { throw .invalidHeader("payload") }
        return try APNsNotification(payload: bytes, pushType: Self.apnsPushType, priority: priority,
                                    expiration: expiration.map { Int($0.timeIntervalSince1970.rounded(.down)) })
    }
}

extension PushMessage {
    /// The alert a Live Activity push carries: the message's title and body, when either is set.
    public var liveActivityAlert: (title: String, body: String, sound: String?)? {
        title.isEmpty && body.isEmpty ? nil : (title, body, sound)
    }

}
