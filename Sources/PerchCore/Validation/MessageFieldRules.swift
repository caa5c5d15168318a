import Foundation

/// The platform limits on a message's common fields, checked when a message is created (campaign create and update,
/// `POST /v1/send`, `POST /api/push`, the dashboard's composer) so that nothing is discovered at send time. One rule
/// set, used everywhere; a refusal is a 400 naming the field (`message.collapseId`, `message.actions[1].title`, …).
///
/// | field | rule | why |
/// |---|---|---|
/// | `image` | an `http` or `https` URL with a host, at most 2048 characters | FCM, APNs service extensions and browsers fetch it |
/// | `badge` | 0 … 2147483647 | APNs and Android take a non-negative 32-bit count; 0 clears the badge |
/// | `sound` | 1–256 characters | a file name in the app bundle, or `default` |
/// | `interruptionLevel` | `passive`, `active`, `time-sensitive` or `critical` | APNs `interruption-level` |
/// | `relevanceScore` | 0 … 1 | APNs `relevance-score` |
/// | `threadId` | 1–256 characters | APNs `thread-id` |
/// | `collapseId` | 1–64 bytes; without `topic`, also a valid Web Push `Topic` | `apns-collapse-id` takes at most 64 bytes |
/// | `channelId` | 1–256 characters | FCM `android.notification.channel_id` |
/// | `urgency` | `very-low`, `low`, `normal` or `high` | Web Push `Urgency` (RFC 8030) |
/// | `topic` | 1–32 characters of the base64url alphabet | Web Push `Topic` (RFC 8030 §5.4) |
/// | `actions` | at most 2, each `{action: 1–64, title: 1–128 characters, icon?: http(s) URL}`, distinct `action`s | what browsers show |
public enum MessageFieldRules {
    public static let urlMaxLength = 2048
    public static let badgeRange = 0...Int(Int32.max)
    public static let nameMaxLength = 256
    public static let collapseIdMaxBytes = APNsNotification.collapseIdLimit
    public static let topicMaxLength = 32
    public static let actionsMaxCount = 2

    private static let base64URLScalars = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// Checks every common field of `message`.
    ///
    /// - Parameter field: the message's own field name, the prefix of every error's field (`message`, `variants[1].message`).
    public static func validate(_ message: PushMessage, field: String = "message") throws(PerchError) {
        func path(_ member: String) -> String { "\(field).\(member)" }

        if let image = message.image, !isWebURL(image) {
            throw .invalid(path("image"), "\(path("image")) is an http or https URL of at most \(urlMaxLength) characters")
        }
        if let badge = message.badge, !badgeRange.contains(badge) {
            throw .invalid(path("badge"), "\(path("badge")) is 0 to \(badgeRange.upperBound)")
        }
        try checkName(message.sound, path("sound"))
        if let score = message.relevanceScore, !(score.isFinite && (0...1).contains(score)) {
            throw .invalid(path("relevanceScore"), "\(path("relevanceScore")) is a number from 0 to 1")
        }
        try checkName(message.threadId, path("threadId"))
        try checkName(message.channelId, path("channelId"))
        if let topic = message.topic, !isTopic(topic) {
            throw .invalid(path("topic"), "\(path("topic")) is 1 to \(topicMaxLength) characters of A–Z a–z 0–9 - _ (the Web Push Topic)")
        }
        if let collapseId = message.collapseId {
            guard (1...collapseIdMaxBytes).contains(collapseId.utf8.count) else {
                throw .invalid(path("collapseId"), "\(path("collapseId")) is 1 to \(collapseIdMaxBytes) bytes (apns-collapse-id)")
            }
            guard message.topic != nil || isTopic(collapseId) else {
                throw .invalid(path("collapseId"), "\(path("collapseId")) is also the Web Push Topic, which is at most \(topicMaxLength) "
                    + "characters of A–Z a–z 0–9 - _; set \(path("topic")) to send a longer collapseId to APNs and FCM")
            }
        }
        try validateLocalizations(message, field: field)
        if let actions = message.actions {
            guard actions.count <= actionsMaxCount else {
                throw .invalid(path("actions"), "\(path("actions")) holds at most \(actionsMaxCount) actions")
            }
            var seen: Set<String> = []
            for (index, action) in actions.enumerated() {
                let item = "\(path("actions"))[\(index)]"
                guard (1...64).contains(action.action.count) else { throw .invalid("\(item).action", "\(item).action is 1 to 64 characters") }
                guard seen.insert(action.action).inserted else {
                    throw .invalid("\(item).action", "\(item).action repeats another action's id")
                }
                guard (1...128).contains(action.title.count) else { throw .invalid("\(item).title", "\(item).title is 1 to 128 characters") }
                if let icon = action.icon, !isWebURL(icon) {
                    throw .invalid("\(item).icon", "\(item).icon is an http or https URL of at most \(urlMaxLength) characters")
                }
            }
        }
    }

    /// Checks `localizations`: at most ``PushMessage/localizationsLimit``, keyed by distinct BCP 47 tags, each merged over
    /// the default message within every limit above (errors named `message.localizations.de.title`).
    static func validateLocalizations(_ message: PushMessage, field: String) throws(PerchError) {
        guard let localizations = message.localizations else { return }
        let path = "\(field).localizations"
        guard localizations.count <= PushMessage.localizationsLimit else {
            throw .invalid(path, "\(path) holds at most \(PushMessage.localizationsLimit) localizations")
        }
        var seen: Set<String> = []
        for key in localizations.keys.sorted() {
            let item = "\(path).\(key)"
            guard (try? FieldRules.locale(key, field: item)) != nil, !key.contains("_") else {
                throw .invalid(item, "\(path) is keyed by BCP 47 tags such as de or pt-BR")
            }
            guard seen.insert(PushMessage.normalisedTag(key)).inserted else {
                throw .invalid(item, "\(item) names the same locale as another key (tags are compared without regard to case)")
            }
            try validate(message.localized(key), field: item)
        }
    }

    /// Whether `text` is a valid Web Push `Topic`.
    public static func isTopic(_ text: String) -> Bool {
        (1...topicMaxLength).contains(text.count) && text.unicodeScalars.allSatisfy(base64URLScalars.contains)
    }

    static func isWebURL(_ text: String) -> Bool {
        guard text.count <= urlMaxLength, let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else { return false }
        return true
    }

    private static func checkName(_ value: String?, _ field: String) throws(PerchError) {
        guard let value else { return }
        guard (1...nameMaxLength).contains(value.count) else { throw .invalid(field, "\(field) is 1 to \(nameMaxLength) characters") }
    }
}
