import Foundation

/// A validated event, ready to store.
public struct ClientEvent: Sendable, Hashable {
    public var type: EventType
    public var installationId: String
    public var campaignId: String?
    public var deliveryId: String?
    public var value: Double?
    public var currency: String?
    public var occurredAt: Date
    public var properties: [String: JSONValue]?

    public init(type: EventType, installationId: String, campaignId: String? = nil, deliveryId: String? = nil,
                value: Double? = nil, currency: String? = nil, occurredAt: Date, properties: [String: JSONValue]? = nil) {
        self.type = type
        self.installationId = installationId
        self.campaignId = campaignId
        self.deliveryId = deliveryId
        self.value = value
        self.currency = currency
        self.occurredAt = occurredAt
        self.properties = properties
    }

    /// Parses ISO 8601 with or without fractional seconds.
    public static func parseTime(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
