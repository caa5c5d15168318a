import Foundation
import PerchCore

/// One stored delivery row, as `explain` and send results show it (no raw token).
public struct DeliveryRecord: Sendable, Hashable, Codable {
    public var id: String
    public var campaignId: String
    public var occurrence: String?
    public var tokenId: String
    public var installationId: String
    public var userId: String?
    public var platform: Platform
    public var variant: Int?
    /// `pending`, `sending`, `accepted`, `retry`, `failed` or `suppressed`.
    public var state: String
    /// The last outcome (``DeliveryVerdict/Outcome``), when there is one.
    public var outcome: String?
    /// The reason code: an exclusion code for suppressed rows, the gateway's reason otherwise.
    public var reason: String?
    public var reasonDetail: String?
    public var gatewayStatus: Int?
    public var gatewayMessageId: String?
    public var attempts: Int
    public var dueAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var acceptedAt: Date?

    /// Whether nothing more will happen to it.
    public var isFinal: Bool { ["accepted", "failed", "suppressed"].contains(state) }

    public init(id: String, campaignId: String, occurrence: String?, tokenId: String, installationId: String, userId: String?,
                platform: Platform, variant: Int?, state: String, outcome: String?, reason: String?, reasonDetail: String?,
                gatewayStatus: Int?, gatewayMessageId: String?, attempts: Int, dueAt: Date, createdAt: Date, updatedAt: Date,
                acceptedAt: Date?) {
        self.id = id
        self.campaignId = campaignId
        self.occurrence = occurrence
        self.tokenId = tokenId
        self.installationId = installationId
        self.userId = userId
        self.platform = platform
        self.variant = variant
        self.state = state
        self.outcome = outcome
        self.reason = reason
        self.reasonDetail = reasonDetail
        self.gatewayStatus = gatewayStatus
        self.gatewayMessageId = gatewayMessageId
        self.attempts = attempts
        self.dueAt = dueAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.acceptedAt = acceptedAt
    }
}
