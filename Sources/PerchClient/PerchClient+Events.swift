import Foundation

extension PerchClient {
    /// Perch's answer to a batch of events: each item stored or rejected on its own.
    public struct EventResults: Sendable, Hashable, Decodable {
        public struct Item: Sendable, Hashable, Decodable {
            public var index: Int
            /// `stored` or `rejected`.
            public var status: String
            public var id: String?
            public var error: PerchValue?
        }
        public var stored: Int
        public var rejected: Int
        public var results: [Item]
    }

    struct EventItem: Encodable {
        var type: String
        var name: String?
        var installationId: String
        var campaignId: String?
        var deliveryId: String?
        var value: Double?
        var currency: String?
        var at: Date?
        var properties: [String: PerchValue]?
    }
    struct EventsBody: Encodable {
        var events: [EventItem]
    }

    /// Records events for this installation (at most 1,000 per call). A rejected item does not fail
    /// the others: read ``EventResults/results``.
    @discardableResult
    public func track(_ events: [PerchEvent]) async throws -> EventResults {
        guard (1...1000).contains(events.count) else { throw PerchClientError(.invalidArgument, "send 1 to 1000 events per call") }
        let installation = try installationId()
        let items = events.map { event in
            EventItem(type: event.type, name: nil, installationId: installation, campaignId: event.campaignId, deliveryId: event.deliveryId,
                      value: event.value, currency: event.currency, at: event.at, properties: event.properties)
        }
        return try await send("POST", "v1/events", body: EventsBody(events: items), as: EventResults.self).0
    }

    /// Records one custom event by name.
    @discardableResult
    public func track(_ name: String, properties: [String: PerchValue]? = nil) async throws -> EventResults {
        try await track([PerchEvent(type: name, properties: properties)])
    }
}
