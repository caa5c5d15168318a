import Foundation

/// A client event for `POST /v1/events`: a funnel step (`prompt_shown`, `permission_granted`,
/// `received`, `opened`, `converted`, …) or a custom name, with optional properties.
public struct PerchEvent: Sendable, Hashable, Encodable {
    /// `prompt_shown`, `permission_granted`, `permission_denied`, `permission_revoked`, `received`,
    /// `opened`, `converted`, or any custom name.
    public var type: String
    /// The campaign the event belongs to (from the push's data), if any.
    public var campaignId: String?
    /// The delivery the event belongs to (from the push's data), if any.
    public var deliveryId: String?
    /// The value of a `converted` event.
    public var value: Double?
    /// The ISO 4217 currency of ``value``.
    public var currency: String?
    /// When it happened; the server's time of receipt when `nil`.
    public var at: Date?
    /// Free-form properties.
    public var properties: [String: PerchValue]?

    /// Creates an event.
    public init(type: String, campaignId: String? = nil, deliveryId: String? = nil, value: Double? = nil, currency: String? = nil,
                at: Date? = nil, properties: [String: PerchValue]? = nil) {
        self.type = type
        self.campaignId = campaignId
        self.deliveryId = deliveryId
        self.value = value
        self.currency = currency
        self.at = at
        self.properties = properties
    }

    /// The notification permission prompt was shown; `strategy` names how it was introduced.
    public static func promptShown(strategy: String? = nil) -> PerchEvent {
        PerchEvent(type: "prompt_shown", properties: strategy.map { ["strategy": .string($0)] })
    }
    /// The user granted (or denied) the notification permission.
    public static func permission(granted: Bool) -> PerchEvent {
        PerchEvent(type: granted ? "permission_granted" : "permission_denied")
    }
    /// A push arrived on the device.
    public static func received(campaignId: String? = nil, deliveryId: String? = nil) -> PerchEvent {
        PerchEvent(type: "received", campaignId: campaignId, deliveryId: deliveryId)
    }
    /// The user opened a push.
    public static func opened(campaignId: String? = nil, deliveryId: String? = nil) -> PerchEvent {
        PerchEvent(type: "opened", campaignId: campaignId, deliveryId: deliveryId)
    }
    /// The user converted, worth `value` in `currency`.
    public static func converted(value: Double, currency: String, campaignId: String? = nil) -> PerchEvent {
        PerchEvent(type: "converted", campaignId: campaignId, value: value, currency: currency)
    }
}
