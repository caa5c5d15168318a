import Foundation

/// A validated registration: the installation holds `destination` now.
public struct TokenRegistration: Sendable, Hashable {
    public var installationId: String
    public var destination: PushDestination
    /// Binds the installation to this user when given; `nil` leaves the binding as it is
    /// (unbinding is `logout`'s job, so a client that forgets the user id loses nothing).
    public var userId: String?
    /// The token this one refreshes, when the client knows it.
    public var previousToken: String?
    public var appVersion: String?
    public var locale: String?
    public var timezone: String?
    /// Consent stated at registration; `nil` keeps what is recorded.
    public var consent: ConsentStatus?
    public var attributes: [String: JSONValue]?
    /// What the token addresses: the installation's device, its VoIP push, or a Live Activity.
    public var kind: TokenKind

    public var platform: Platform { destination.platform }

    public init(installationId: String, destination: PushDestination, userId: String? = nil, previousToken: String? = nil,
                appVersion: String? = nil, locale: String? = nil, timezone: String? = nil, consent: ConsentStatus? = nil,
                attributes: [String: JSONValue]? = nil, kind: TokenKind = .device) {
        self.installationId = installationId
        self.destination = destination
        self.userId = userId
        self.previousToken = previousToken
        self.appVersion = appVersion
        self.locale = locale
        self.timezone = timezone
        self.consent = consent
        self.attributes = attributes
        self.kind = kind
    }
}
