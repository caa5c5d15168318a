import Foundation

extension PushMessage {
    /// The data keys that carry a delivery's ids to the client, which echoes them in its
    /// `received`, `opened` and `converted` events for attribution.
    public static let deliveryIdKey = "perchDeliveryId"
    public static let campaignIdKey = "perchCampaignId"

    /// The message with the delivery's and campaign's ids in its data.
    public func tagged(deliveryId: String, campaignId: String) -> PushMessage {
        var message = self
        var data = message.data ?? [:]
        data[Self.deliveryIdKey] = .string(deliveryId)
        data[Self.campaignIdKey] = .string(campaignId)
        message.data = data
        return message
    }
}
