import Foundation

/// One item of `POST /v1/events`, as sent.
public struct EventBody: Sendable, Decodable {
    public var type: String?
    public var installationId: String?
    public var campaignId: String?
    public var deliveryId: String?
    /// The custom event's name when `type` is `custom`.
    public var name: String?
    public var value: Double?
    public var currency: String?
    /// ISO 8601 time of the fact on the client; defaults to the time it arrives.
    public var at: String?
    public var properties: [String: JSONValue]?

    public init(type: String?, installationId: String?, campaignId: String? = nil, deliveryId: String? = nil, name: String? = nil,
                value: Double? = nil, currency: String? = nil, at: String? = nil, properties: [String: JSONValue]? = nil) {
        self.type = type
        self.installationId = installationId
        self.campaignId = campaignId
        self.deliveryId = deliveryId
        self.name = name
        self.value = value
        self.currency = currency
        self.at = at
        self.properties = properties
    }

    /// How far in the future a client clock may be before `at` is refused.
    public static let clockSkewAllowance: TimeInterval = 300
    /// How old an event may be.
    public static let maximumAge: TimeInterval = 400 * 86_400

    /// Validates the item; errors name the field as `events[index].field`.
    public func validated(index: Int, now: Date) throws(PerchError) -> ClientEvent {
        let prefix = "events[\(index)]."
        guard let typeName = type else { throw .missing(prefix + "type") }
        var eventType: EventType
        if typeName == "custom" {
            guard let name else { throw .missing(prefix + "name") }
            guard EventType.isCustomName(name) else {
                throw .invalid(prefix + "name", "a custom event name is 1–64 characters of a–z A–Z 0–9 _ . : - starting with a letter")
            }
            eventType = .custom(name)
        } else {
            guard let parsed = EventType(rawValue: typeName) else {
                throw .invalid(prefix + "type", "unknown event type; use a known type or a custom name")
            }
            eventType = parsed
        }
        let installationId = try FieldRules.installationId(installationId, field: prefix + "installationId")
        var occurredAt = now
        if let at {
            guard let parsed = ClientEvent.parseTime(at) else {
                throw .invalid(prefix + "at", "at must be an ISO 8601 time such as 2026-01-31T12:00:00Z")
            }
            guard parsed.timeIntervalSince(now) <= Self.clockSkewAllowance, now.timeIntervalSince(parsed) <= Self.maximumAge else {
                throw .invalid(prefix + "at", "at is too far in the future or the past")
            }
            occurredAt = parsed
        }
        if let value {
            guard value.isFinite, abs(value) < 1e12 else { throw .invalid(prefix + "value", "value must be a finite amount") }
        }
        if let currency {
            guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                throw .invalid(prefix + "currency", "currency must be an ISO 4217 code such as EUR")
            }
        }
        if eventType == .converted, value != nil, currency == nil {
            throw .missing(prefix + "currency")
        }
        for (field, id) in [("campaignId", campaignId), ("deliveryId", deliveryId)] {
            if let id { _ = try FieldRules.installationId(id, field: prefix + field) }
        }
        return ClientEvent(
            type: eventType, installationId: installationId, campaignId: campaignId, deliveryId: deliveryId,
            value: value, currency: currency, occurredAt: occurredAt,
            properties: try FieldRules.attributes(properties, field: prefix + "properties")
        )
    }
}
