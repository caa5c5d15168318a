import Foundation

/// A ``PushMessage`` rendered for APNs: the JSON payload and the request headers that go with it.
public struct APNsNotification: Sendable, Hashable {
    /// The largest payload APNs accepts for every push type except VoIP.
    public static let payloadLimit = 4096
    /// The largest payload APNs accepts for VoIP pushes.
    public static let voipPayloadLimit = 5120
    /// The longest `apns-collapse-id` APNs accepts, in bytes.
    public static let collapseIdLimit = 64

    /// The JSON payload (`aps` plus custom keys at the top level).
    public var payload: Data
    /// `apns-push-type`: `alert`, `background`, `voip`, `liveactivity`, ….
    public var pushType: String
    /// `apns-priority`: 10 (immediately), 5 (power-considerate) or 1; `nil` lets APNs choose.
    public var priority: Int?
    /// `apns-expiration` in seconds since 1970; `nil` sends none (APNs then stores the notification once).
    public var expiration: Int?
    /// `apns-collapse-id`, at most 64 bytes.
    public var collapseId: String?

    /// The payload limit for this notification's push type.
    public var payloadLimit: Int { pushType == "voip" ? Self.voipPayloadLimit : Self.payloadLimit }

    /// Creates a notification, checking the payload size and the collapse id.
    public init(
        payload: Data,
        pushType: String = "alert",
        priority: Int? = nil,
        expiration: Int? = nil,
        collapseId: String? = nil
    ) throws(PushMessageError) {
        self.payload = payload
        self.pushType = pushType
        self.priority = priority
        self.expiration = expiration
        self.collapseId = collapseId
        if let collapseId, collapseId.utf8.count > Self.collapseIdLimit { throw .collapseIdTooLong }
        if let priority, ![1, 5, 10].contains(priority) { throw .invalidHeader("apns-priority") }
        if payload.count > payloadLimit { throw .payloadTooLarge(size: payload.count, limit: payloadLimit) }
    }
}
