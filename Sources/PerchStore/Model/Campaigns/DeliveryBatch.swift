import Foundation
import PerchCore

/// Everything a batch of claimed deliveries writes, recorded in one transaction: each delivery's next state (or the
/// claim given back untried), the tokens the gateways called dead and the gateways whose credentials failed. Built from what
/// ``DeliveryStateMachine`` left to write for each claim (``add(_:of:locale:)``).
public struct DeliveryBatch: Sendable, Hashable {
    public var updates: [DeliveryUpdate]
    public var releases: [DeliveryRelease]
    public var retirements: [TokenRetirement]
    public var pauses: [GatewayPauseOrder]

    public init(updates: [DeliveryUpdate] = [], releases: [DeliveryRelease] = [], retirements: [TokenRetirement] = [],
                pauses: [GatewayPauseOrder] = []) {
        self.updates = updates
        self.releases = releases
        self.retirements = retirements
        self.pauses = pauses
    }

    public var isEmpty: Bool { updates.isEmpty && releases.isEmpty && retirements.isEmpty && pauses.isEmpty }

    /// The campaigns the batch touches (each may be complete after it).
    public var campaignIds: Set<String> { Set(updates.map(\.campaignId) + releases.map(\.campaignId)) }

    /// Adds what one claim left to write; `locale` is the key of the localization its message was sent in.
    public mutating func add(_ writes: [DeliveryWrite], of claim: ClaimedDelivery, locale: String?) {
        for write in writes {
            switch write {
            case .record(let state, let outcome, let reason):
                updates.append(DeliveryUpdate(id: claim.id, campaignId: claim.campaignId, state: state, outcome: outcome, reason: reason,
                                              locale: locale))
            case .release(let dueAt):
                releases.append(DeliveryRelease(id: claim.id, campaignId: claim.campaignId, dueAt: dueAt))
            case .retire(let reason, let at, let unlessSeenAfter):
                retirements.append(TokenRetirement(appId: claim.appId, tokenId: claim.tokenId, deliveryId: claim.id, reason: reason, at: at,
                                                   unlessSeenAfter: unlessSeenAfter))
            case .pause(let platform, let reason):
                pauses.append(GatewayPauseOrder(appId: claim.appId, platform: platform, reason: reason))
            }
        }
    }
}
