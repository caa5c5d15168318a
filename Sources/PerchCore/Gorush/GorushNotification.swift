import Foundation

/// One item of gorush's `POST /api/push` body (`{"notifications": [ … ]}`), as gorush documents it,
/// so an unmodified gorush client can send through Perch. Unknown members are ignored.
///
/// ``message(now:)`` turns it into a Perch ``PushMessage``; ``destinationPlatform()`` maps
/// gorush's platform numbers (1 iOS → APNs, 2 Android → FCM).
public struct GorushNotification: Sendable, Decodable {
    public var notifId: String?
    public var tokens: [String]?
    /// 1 = iOS (APNs), 2 = Android (FCM); gorush's other numbers (3 = Huawei) are refused.
    public var platform: Int?
    public var message: String?
    public var title: String?
    /// `high` or `normal`.
    public var priority: String?
    /// iOS: the APNs topic (must be the app's); Android: an FCM topic, which Perch does not send to.
    public var topic: String?
    /// Android: a topic or a single token instead of `tokens`.
    public var to: String?
    public var image: String?
    public var sound: JSONValue?
    public var data: [String: JSONValue]?
    public var badge: Int?
    public var category: String?
    public var threadId: String?
    public var alert: [String: JSONValue]?
    public var notification: [String: JSONValue]?
    public var contentAvailable: Bool?
    public var mutableContent: Bool?
    /// iOS: UNIX time after which APNs may drop the message.
    public var expiration: Int?
    /// Android: seconds FCM keeps the message.
    public var timeToLive: Int?
    public var collapseKey: String?
    public var collapseId: String?
    public var pushType: String?
    public var apnsId: String?
    public var name: String?
    public var volume: Double?
    public var dryRun: Bool?
    /// iOS: the tokens are production tokens.
    public var production: Bool?
    /// iOS: the tokens are sandbox (development) tokens.
    public var development: Bool?
    public var interruptionLevel: String?

    enum CodingKeys: String, CodingKey {
        case notifId = "notif_id", tokens, platform, message, title, priority, topic, to, image, sound, data, badge, category
        case threadId = "thread_id", alert, notification, contentAvailable = "content_available", mutableContent = "mutable_content"
        case expiration, timeToLive = "time_to_live", collapseKey = "collapse_key", collapseId = "collapse_id", pushType = "push_type"
        case apnsId = "apns_id", name, volume, dryRun = "dry_run", production, development, interruptionLevel = "interruption_level"
    }

    public init(tokens: [String]?, platform: Int?, message: String? = nil, title: String? = nil) {
        self.tokens = tokens
        self.platform = platform
        self.message = message
        self.title = title
    }

    /// The Perch platform of gorush's number, or an error naming what gorush meant by it.
    public func destinationPlatform() throws(PerchError) -> Platform {
        switch platform {
        case 1: return .apns
        case 2: return .fcm
        case 3: throw PerchError(.unsupported, "platform 3 is Huawei HMS in gorush; Perch sends to APNs (1) and FCM (2) only", field: "platform")
        case nil: throw PerchError.missing("platform")
        case let number?: throw PerchError.invalid("platform", "platform \(number) is not a gorush platform Perch knows: use 1 (iOS) or 2 (Android)")
        }
    }

    /// The APNs environment the notification states for its iOS tokens (`nil`: unknown).
    public var apnsEnvironment: APNsEnvironment? {
        if development == true { return .sandbox }
        if production == true { return .production }
        return nil
    }

    /// The seconds the push services may keep the message: `time_to_live`, else what remains until `expiration`.
    public func timeToLive(now: Date) -> Int? {
        // Clamped to what the push services keep (four weeks): both numbers are the caller's, and `expiration - now`
        // or `now + time_to_live` with one near `Int.min`/`Int.max` would trap.
        if let timeToLive { return min(max(0, timeToLive), Self.maximumTimeToLive) }
        if let expiration {
            let (left, overflow) = expiration.subtractingReportingOverflow(Int(now.timeIntervalSince1970))
            return overflow ? (expiration < 0 ? 0 : Self.maximumTimeToLive) : min(max(0, left), Self.maximumTimeToLive)
        }
        return nil
    }

    /// The longest time to live a push service keeps a message: four weeks (FCM's limit; APNs keeps less).
    public static let maximumTimeToLive = 2_419_200
    /// The latest `expiration`: the end of year 9999, past any push service's horizon.
    public static let latestExpiration = 253_402_300_799

    /// Checks the platform limits of the notification's fields before anything is sent, with the rules every other
    /// send path uses (``MessageFieldRules``); an error names the field as gorush spells it (`notifications[0].collapse_id`).
    public func checkLimits(index: Int, now: Date) throws(PerchError) {
        let field = "notifications[\(index)]"
        if let collapseId, !(1...MessageFieldRules.collapseIdMaxBytes).contains(collapseId.utf8.count) {
            throw .invalid("\(field).collapse_id", "\(field).collapse_id is 1 to \(MessageFieldRules.collapseIdMaxBytes) bytes (apns-collapse-id)")
        }
        if let interruptionLevel, PushMessage.InterruptionLevel(rawValue: interruptionLevel) == nil {
            throw .invalid("\(field).interruption_level",
                           "\(field).interruption_level is passive, active, time-sensitive or critical")
        }
        // A message that cannot be built is reported per notification in `logs`, as gorush does.
        guard let built = try? self.message(now: now) else { return }
        try MessageFieldRules.validate(built, field: field)
    }

    /// The notification as a Perch message: `title`/`message` (or `alert.title`/`alert.body`) are the
    /// common title and body, `data`, `image`, `badge` and a string `sound` the common fields; the rest
    /// becomes the APNs and FCM blocks (priority, content-available, mutable-content, category,
    /// thread-id, the alert and sound dictionaries, push type, collapse ids, Android `notification`).
    public func message(now: Date) throws(PerchError) -> PushMessage {
        if dryRun == true { throw PerchError(.unsupported, "dry_run is not supported: Perch sends for real", field: "dry_run") }
        if let to, !to.isEmpty, tokens?.isEmpty ?? true {
            throw PerchError(.unsupported, "Perch sends to device tokens, not to FCM topics or device groups: list them in tokens", field: "to")
        }
        var headers: [String: JSONValue] = [:]
        var aps: [String: JSONValue] = [:]
        var android: [String: JSONValue] = [:]
        switch priority {
        case nil: break
        case "high":
            headers["apns-priority"] = .integer(10)
            android["priority"] = "HIGH"
        case "normal":
            headers["apns-priority"] = .integer(5)
            android["priority"] = "NORMAL"
        case let other?:
            throw PerchError.invalid("priority", "priority is high or normal, not \(other.prefix(16))")
        }
        if let pushType { headers["apns-push-type"] = .string(pushType) }
        if let expiration {
            guard (0...Self.latestExpiration).contains(expiration) else { throw PerchError.invalid("expiration", "expiration is a UNIX time") }
            headers["apns-expiration"] = .integer(expiration)
        }
        if let collapseId { headers["apns-collapse-id"] = .string(collapseId) }
        if contentAvailable == true { aps["content-available"] = .integer(1) }
        if mutableContent == true { aps["mutable-content"] = .integer(1) }
        if let category { aps["category"] = .string(category) }
        if let threadId { aps["thread-id"] = .string(threadId) }
        if let interruptionLevel { aps["interruption-level"] = .string(interruptionLevel) }

        var alert = self.alert ?? [:]
        let title = self.title ?? alert["title"]?.stringValue ?? ""
        let body = self.message ?? alert["body"]?.stringValue ?? ""
        alert["title"] = .string(title)
        alert["body"] = .string(body)
        if self.alert != nil { aps["alert"] = .object(alert) }

        var soundName: String?
        switch sound {
        case nil, .null?: break
        case .string(let text)?: soundName = text
        case .object(var dictionary)?:
            if let name, dictionary["name"] == nil { dictionary["name"] = .string(name) }
            if let volume, dictionary["volume"] == nil { dictionary["volume"] = .number(volume) }
            aps["sound"] = .object(dictionary)
            soundName = dictionary["name"]?.stringValue
        default:
            throw PerchError.invalid("sound", "sound is a name or a {critical, name, volume} dictionary")
        }
        if sound == nil, let name {
            aps["sound"] = volume.map { JSONValue.object(["name": .string(name), "volume": .number($0)]) } ?? .string(name)
            soundName = name
        }

        if let timeToLive {
            guard (0...Self.maximumTimeToLive).contains(timeToLive) else {
                throw PerchError.invalid("time_to_live", "time_to_live is 0 to \(Self.maximumTimeToLive) seconds (four weeks)")
            }
        }
        if let collapseKey { android["collapse_key"] = .string(collapseKey) }
        if let notification, !notification.isEmpty { android["notification"] = .object(notification) }

        var apns: [String: JSONValue] = [:]
        if !headers.isEmpty { apns["headers"] = .object(headers) }
        if !aps.isEmpty { apns["payload"] = .object(["aps": .object(aps)]) }
        var fcm: [String: JSONValue] = [:]
        if !android.isEmpty { fcm["android"] = .object(android) }
        var apnsInsideFCM: [String: JSONValue] = [:]
        if !aps.isEmpty { apnsInsideFCM["payload"] = .object(["aps": .object(aps)]) }
        if let priority = headers["apns-priority"] { apnsInsideFCM["headers"] = .object(["apns-priority": .string(priority.fcmDataString)]) }
        if !apnsInsideFCM.isEmpty { fcm["apns"] = .object(apnsInsideFCM) }

        return PushMessage(title: title, body: body, data: data, image: image, badge: badge, sound: soundName,
                           apns: apns.isEmpty ? nil : apns, fcm: fcm.isEmpty ? nil : fcm)
    }
}
