import Foundation

/// Which campaign a client event counts for. Events arrive with the publishable key, which anyone can hold,
/// so the `campaignId` or `deliveryId` an event names is a claim, not a fact: it counts only when a delivery
/// of that campaign backs it — one to the event's own installation, or one to the same person made within the
/// campaign's attribution window. Anything else is stored unattributed, so no client can credit revenue,
/// opens or lift to a campaign that never reached it.
public struct EventAttribution: Sendable, Hashable {
    /// A delivery that may back an event: one the event names, or one of the campaign it names to its
    /// installation or to its person.
    public struct Delivery: Sendable, Hashable {
        public var id: String
        public var campaignId: String
        public var installationId: String
        public var userId: String?
        public var createdAt: Date

        public init(id: String, campaignId: String, installationId: String, userId: String?, createdAt: Date) {
            self.id = id
            self.campaignId = campaignId
            self.installationId = installationId
            self.userId = userId
            self.createdAt = createdAt
        }
    }

    /// The campaign and delivery the event is stored with; both `nil` when unattributed.
    public var campaignId: String?
    public var deliveryId: String?

    public static let unattributed = EventAttribution(campaignId: nil, deliveryId: nil)

    public init(campaignId: String?, deliveryId: String?) {
        self.campaignId = campaignId
        self.deliveryId = deliveryId
    }

    /// - Parameters:
    ///   - userId: the user the event's installation belongs to now.
    ///   - candidates: the deliveries that could back the event (the store reads them; extra ones do no harm).
    ///   - window: a campaign's attribution window.
    ///   - now: when the event reached Perch; the window is measured to it, never to the client's own clock.
    public static func of(_ event: ClientEvent, userId: String?, candidates: [Delivery],
                          window: (String) -> TimeInterval, now: Date) -> EventAttribution {
        func backs(_ delivery: Delivery) -> Bool {
            if delivery.installationId == event.installationId { return true }
            guard let userId, delivery.userId == userId else { return false }
            return now.timeIntervalSince(delivery.createdAt) <= window(delivery.campaignId)
        }
        if let deliveryId = event.deliveryId {
            guard let delivery = candidates.first(where: { $0.id == deliveryId }),
                  event.campaignId == nil || event.campaignId == delivery.campaignId,
                  backs(delivery)
            else { return .unattributed }
            return EventAttribution(campaignId: delivery.campaignId, deliveryId: delivery.id)
        }
        if let campaignId = event.campaignId,
           candidates.contains(where: { $0.campaignId == campaignId && backs($0) }) {
            return EventAttribution(campaignId: campaignId, deliveryId: nil)
        }
        return .unattributed
    }
}
