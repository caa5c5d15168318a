import Foundation
import PerchCore

/// A user and everything reachable about them, without raw tokens.
public struct UserProfile: Sendable, Hashable {
    public var userId: String
    public var attributes: [String: JSONValue]
    public var createdAt: Date?
    public var updatedAt: Date?
    public var installations: [InstallationSummary]
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
    }
    public struct LogEntry: Sendable {
        public var kind: String
        public var installationId: String?
        public var userId: String?
        public var otherUserId: String?
        public var at: Date
    }

    public var profile: UserProfile
    public var tokens: [Token]
    public var consentHistory: [String: [ConsentRecord]]
    public var events: [Event]
    public var log: [LogEntry]
}
