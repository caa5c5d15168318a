import Foundation
import PerchCore

/// Everything a batch of claimed deliveries writes, recorded in one transaction: each delivery's next state, the
/// tokens the gateways called dead and the gateways whose credentials failed. Built from what
/// ``DeliveryStateMachine`` left to write for each claim (``add(_:of:locale:)``).
public struct DeliveryBatch: Sendable, Hashable {
    public var updates: [DeliveryUpdate]
    public var retirements: [TokenRetirement]
    public var pauses: [GatewayPauseOrder]

    public init(updates: [DeliveryUpdate] = [], retirements: [TokenRetirement] = [], pauses: [GatewayPauseOrder] = []) {
        self.updates = updates
        self.retirements = retirements
        self.pauses = pauses
    }

    public var isEmpty: Bool { updates.isEmpty && retirements.isEmpty && pauses.isEmpty }

    /// Adds what one claim left to write; `locale` is the key of the localization its message was sent in.
    public mutating func add(_ writes: [DeliveryWrite], of claim: ClaimedDelivery, locale: String?) {
        for write in writes {
            switch write {
            case .record(let state, let outcome, let reason):
                updates.append(DeliveryUpdate(id: claim.id, campaignId: claim.campaignId, state: state, outcome: outcome, reason: reason,
                                              locale: locale))
            case .release(let dueAt):
                updates.append(.release(id: claim.id, campaignId: claim.campaignId, dueAt: dueAt))
            case .retire(let reason, let at, let unlessSeenAfter):
                retirements.append(TokenRetirement(appId: claim.appId, tokenId: claim.tokenId, deliveryId: claim.id, reason: reason, at: at,
                                                   unlessSeenAfter: unlessSeenAfter))
            case .pause(let platform, let reason):
                pauses.append(GatewayPauseOrder(appId: claim.appId, platform: platform, reason: reason))
            }
        }
    }
}
