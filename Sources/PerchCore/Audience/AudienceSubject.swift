import Foundation

/// One token with the facts a filter can ask about: its installation, its user, and events.
public struct AudienceSubject: Sendable, Hashable {
    /// An event as filters see it.
    public struct Event: Sendable, Hashable {
        public var name: String
        public var at: Date
        public var installationId: String
        public var userId: String?
        public init(name: String, at: Date, installationId: String, userId: String?) {
            self.name = name
            self.at = at
            self.installationId = installationId
            self.userId = userId
        }
    }

    public var tokenId: String
    public var installationId: String
    public var platform: Platform
    public var appVersion: String?
    public var locale: String?
    public var timezone: String?
    public var status: TokenStatusName
    public var consent: ConsentStatus?
    public var createdAt: Date
    public var lastSeenAt: Date
    public var userId: String?
    public var userAttributes: [String: JSONValue]
    /// Events that may concern the subject; ``AudienceFilter`` counts those of this installation and,
    /// when the installation is known, those recorded for its user.
    public var events: [Event]

    public init(tokenId: String, installationId: String, platform: Platform, appVersion: String?, locale: String?, timezone: String?,
                status: TokenStatusName, consent: ConsentStatus?, createdAt: Date, lastSeenAt: Date, userId: String?,
                userAttributes: [String: JSONValue], events: [Event]) {
        self.tokenId = tokenId
        self.installationId = installationId
        self.platform = platform
        self.appVersion = appVersion
        self.locale = locale
        self.timezone = timezone
        self.status = status
        self.consent = consent
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.userId = userId
        self.userAttributes = userAttributes
        self.events = events
    }

    /// The time of the installation's latest `opened` event.
    public var lastOpenedAt: Date? {
        events.filter { $0.name == EventType.opened.rawValue && $0.installationId == installationId }.map(\.at).max()
    }

    func concerns(_ event: Event) -> Bool {
        event.installationId == installationId || (userId != nil && event.userId == userId)
    }
}
