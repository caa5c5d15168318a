import Foundation
import PerchCore

/// A user and everything reachable about them, without raw tokens.
public struct UserProfile: Sendable, Hashable {
    public var userId: String
    public var attributes: [String: JSONValue]
    public var createdAt: Date?
    public var updatedAt: Date?
    public var installations: [InstallationSummary]

    /// For store backends.
    public init(userId: String, attributes: [String: JSONValue], createdAt: Date?, updatedAt: Date?, installations: [InstallationSummary]) {
        self.userId = userId
        self.attributes = attributes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.installations = installations
    }
}

/// Everything Perch holds about a user, tokens decrypted: the data export.
public struct UserExport: Sendable {
    public struct Token: Sendable {
        public var installationId: String
        public var tokenId: String
        public var destination: PushDestination
        public var status: TokenStatus
        public var createdAt: Date
        public var lastSeenAt: Date
        /// What the token addresses (device, VoIP, a Live Activity).
        public var kind: TokenKind
        /// When a Live Activity update token stops being a delivery address on its own.
        public var expiresAt: Date?

        /// For store backends.
        public init(installationId: String, tokenId: String, destination: PushDestination, status: TokenStatus, createdAt: Date, lastSeenAt: Date,
                    kind: TokenKind = .device, expiresAt: Date? = nil) {
            self.installationId = installationId
            self.tokenId = tokenId
            self.destination = destination
            self.status = status
            self.createdAt = createdAt
            self.lastSeenAt = lastSeenAt
            self.kind = kind
            self.expiresAt = expiresAt
        }
    }
    public struct Event: Sendable {
        public var type: String
        public var installationId: String
        public var campaignId: String?
        public var deliveryId: String?
        public var value: Double?
        public var currency: String?
        public var properties: JSONValue?
        public var occurredAt: Date

        /// For store backends.
        public init(type: String, installationId: String, campaignId: String?, deliveryId: String?, value: Double?, currency: String?,
                    properties: JSONValue?, occurredAt: Date) {
            self.type = type
            self.installationId = installationId
            self.campaignId = campaignId
            self.deliveryId = deliveryId
            self.value = value
            self.currency = currency
            self.properties = properties
            self.occurredAt = occurredAt
        }
    }
    public struct LogEntry: Sendable {
        public var kind: String
        public var installationId: String?
        public var userId: String?
        public var otherUserId: String?
        public var at: Date

        /// For store backends.
        public init(kind: String, installationId: String?, userId: String?, otherUserId: String?, at: Date) {
            self.kind = kind
            self.installationId = installationId
            self.userId = userId
            self.otherUserId = otherUserId
            self.at = at
        }
    }

    public var profile: UserProfile
    public var tokens: [Token]
    public var consentHistory: [String: [ConsentRecord]]
    public var events: [Event]
    public var log: [LogEntry]

    /// For store backends.
    public init(profile: UserProfile, tokens: [Token], consentHistory: [String: [ConsentRecord]], events: [Event], log: [LogEntry]) {
        self.profile = profile
        self.tokens = tokens
        self.consentHistory = consentHistory
        self.events = events
        self.log = log
    }
}
