import Foundation
import PerchCore

/// One installation of the demo population: who it belongs to, what it runs, what it agreed to,
/// when it was last seen and whether the push service still knows its token.
public struct DemoInstallation: Sendable, Hashable {
    /// What the installation answered to the permission prompt.
    public enum Consent: String, Sendable, Hashable, CaseIterable {
        /// Never asked: no consent on record, so campaigns leave it out.
        case notAsked
        case granted
        case denied
        /// Granted, later withdrawn (the token becomes `revoked`).
        case revoked
    }

    /// Position in the population; the token material is derived from it and the population's seed.
    public var index: Int
    public var installationId: String
    public var platform: Platform
    /// The user it belongs to; `nil` for anonymous installs.
    public var userId: String?
    public var appVersion: String
    public var locale: String
    public var timezone: String
    public var consent: Consent
    /// When the installation last registered, in days before the seeding.
    public var lastSeenDaysAgo: Double
    /// Whether the push service rejects its token as dead (APNs 410, FCM `UNREGISTERED`, Web Push 410).
    public var isDead: Bool
    /// Its history before the demo: prompts, opens and conversions.
    public var events: [DemoEvent]
    /// The tokens it holds besides its device token (iOS only): a VoIP token, Live Activity push-to-start tokens, and
    /// the update token of an activity running now.
    public var kinds: [TokenKind] = []
}

/// A past client event of the demo population.
public struct DemoEvent: Sendable, Hashable {
    public var type: EventType
    /// Days before the seeding.
    public var daysAgo: Double
    public var value: Double?
    public var currency: String?
}

/// A known user of the demo population with the attributes campaigns segment and personalise on.
public struct DemoUser: Sendable, Hashable {
    public var userId: String
    public var attributes: [String: JSONValue]
}
