import Foundation

extension PushMessage {
    /// One entry of `message.localizations`: any subset of the message's fields, laid over the default message for
    /// installations whose locale picks it (``localizationKey(for:)``). A field it leaves out is the default's.
    public struct Localization: Sendable, Hashable, Codable {
        public var title: String?
        public var body: String?
        public var data: [String: JSONValue]?
        public var url: String?
        public var image: String?
        public var badge: Int?
        public var sound: String?
        public var interruptionLevel: InterruptionLevel?
        public var relevanceScore: Double?
        public var threadId: String?
        public var collapseId: String?
        public var channelId: String?
        public var urgency: Urgency?
        public var topic: String?
        public var actions: [Action]?
        public var requireInteraction: Bool?
        public var apns: [String: JSONValue]?
        public var fcm: [String: JSONValue]?
        public var webpush: [String: JSONValue]?

        public init(title: String? = nil, body: String? = nil) {
            self.title = title
            self.body = body
        }
    }

    /// The most localizations one message may carry.
    public static let localizationsLimit = 200

    /// The key of ``localizations`` an installation with `locale` gets: the exact tag (`pt-BR`), else its language
    /// (`pt`), compared without regard to case and with `_` read as `-`; `nil` (the default message) when neither is there.
    public func localizationKey(for locale: String?) -> String? {
        guard let localizations, !localizations.isEmpty, let locale, !locale.isEmpty else { return nil }
        let tag = Self.normalisedTag(locale)
        let keys = localizations.keys.sorted()
        if let exact = keys.first(where: { Self.normalisedTag($0) == tag }) { return exact }
        guard let language = tag.split(separator: "-").first.map(String.init) else { return nil }
        return keys.first { Self.normalisedTag($0) == language }
    }

    /// The message for the localization `key`: its fields over the default's; without `localizations`.
    /// An unknown key (or `nil`) answers the default message.
    public func localized(_ key: String?) -> PushMessage {
        var message = self
        message.localizations = nil
        guard let key, let localization = localizations?[key] else { return message }
        if let value = localization.title { message.title = value }
        if let value = localization.body { message.body = value }
        if let value = localization.data { message.data = value }
        if let value = localization.url { message.url = value }
        if let value = localization.image { message.image = value }
        if let value = localization.badge { message.badge = value }
        if let value = localization.sound { message.sound = value }
        if let value = localization.interruptionLevel { message.interruptionLevel = value }
        if let value = localization.relevanceScore { message.relevanceScore = value }
        if let value = localization.threadId { message.threadId = value }
        if let value = localization.collapseId { message.collapseId = value }
        if let value = localization.channelId { message.channelId = value }
        if let value = localization.urgency { message.urgency = value }
        if let value = localization.topic { message.topic = value }
        if let value = localization.actions { message.actions = value }
        if let value = localization.requireInteraction { message.requireInteraction = value }
        if let value = localization.apns { message.apns = value }
        if let value = localization.fcm { message.fcm = value }
        if let value = localization.webpush { message.webpush = value }
        return message
    }

    static func normalisedTag(_ tag: String) -> String { tag.replacingOccurrences(of: "_", with: "-").lowercased() }
}
