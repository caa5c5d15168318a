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
}
