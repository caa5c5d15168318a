import Foundation

/// One person's pending triggered send: the event happened, the send is due at `fireAt`.
public struct TriggerRecord: Sendable, Hashable {
    public enum State: String, Sendable, Hashable { case waiting, fired, cancelled }

    public var id: String
    public var appId: String
    public var campaignId: String
    public var installationId: String
    public var userId: String?
    public var eventAt: Date
    public var fireAt: Date

    public init(id: String, appId: String, campaignId: String, installationId: String, userId: String?, eventAt: Date, fireAt: Date) {
        self.id = id
        self.appId = appId
        self.campaignId = campaignId
        self.installationId = installationId
        self.userId = userId
        self.eventAt = eventAt
        self.fireAt = fireAt
    }
}
