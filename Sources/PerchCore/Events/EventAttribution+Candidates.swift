import Foundation

extension EventAttribution {
    /// The deliveries that may back a batch of events, indexed once: attributing each event of a batch of 1,000 then
    /// looks up the few deliveries it can name instead of walking every candidate of the batch.
    ///
    /// It hands ``EventAttribution/of(_:userId:candidates:window:now:)`` exactly the candidates that rule looks at —
    /// the delivery an event names, or the deliveries of the campaign it names — so the rule stays written once.
    public struct Candidates: Sendable {
        private var byId: [String: Delivery] = [:]
        private var byCampaign: [String: [Delivery]] = [:]

        /// Each delivery counts once, however many of the store's look-ups found it.
        public init(_ deliveries: [Delivery]) {
            for delivery in deliveries where byId.updateValue(delivery, forKey: delivery.id) == nil {
                byCampaign[delivery.campaignId, default: []].append(delivery)
            }
        }

        /// The campaigns of the candidates: those whose attribution windows the rule may ask for.
        public var campaignIds: [String] { Array(byCampaign.keys) }

        /// The candidates `event` can be attributed through: the delivery it names, else those of the campaign it names.
        public func backing(_ event: ClientEvent) -> [Delivery] {
            if let deliveryId = event.deliveryId { return byId[deliveryId].map { [$0] } ?? [] }
            if let campaignId = event.campaignId { return byCampaign[campaignId] ?? [] }
            return []
        }
    }

    /// ``of(_:userId:candidates:window:now:)`` with a batch's candidates.
    public static func of(_ event: ClientEvent, userId: String?, candidates: Candidates,
                          window: (String) -> TimeInterval, now: Date) -> EventAttribution {
        of(event, userId: userId, candidates: candidates.backing(event), window: window, now: now)
    }
}
