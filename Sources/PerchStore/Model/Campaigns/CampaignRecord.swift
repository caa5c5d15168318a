import Foundation
import PerchCore

/// A stored campaign and where it is in its life.
public struct CampaignRecord: Sendable, Hashable {
    public var id: String
    public var appId: String
    public var kind: CampaignKind
    public var definition: CampaignDefinition
    public var status: CampaignStatus
    public var createdAt: Date
    public var updatedAt: Date
    /// When it starts (resolves its audience).
    public var startAt: Date?
    public var startedAt: Date?
    public var resolvedAt: Date?
    public var completedAt: Date?
    public var cancelledAt: Date?

    public init(id: String, appId: String, kind: CampaignKind, definition: CampaignDefinition, status: CampaignStatus, createdAt: Date, updatedAt: Date,
                startAt: Date? = nil, startedAt: Date? = nil, resolvedAt: Date? = nil, completedAt: Date? = nil, cancelledAt: Date? = nil) {
        self.id = id
        self.appId = appId
        self.kind = kind
        self.definition = definition
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startAt = startAt
        self.startedAt = startedAt
        self.resolvedAt = resolvedAt
        self.completedAt = completedAt
        self.cancelledAt = cancelledAt
    }
}
