import Foundation

/// What one claimed delivery leaves to write once ``DeliveryStateMachine`` is done with it. The worker gathers a
/// batch's writes and the store records them all in one transaction, so a crash never keeps a delivery's state
/// without the token retirement or gateway pause its answer called for, nor the other way round.
public enum DeliveryWrite: Sendable, Hashable {
    /// The delivery's next state and the outcome counted for reports.
    case record(DeliveryState, outcome: DeliveryVerdict.Outcome, reason: DeliveryFailureReason?)
    /// Retire the delivery's token with `reason` as of `at`, unless it was registered after `unlessSeenAfter` (APNs'
    /// 410 timestamp, ``TokenLifecycle/retirement(of:lastSeenAt:reason:at:unlessSeenAfter:)``). When the token keeps
    /// its status, the recorded outcome becomes ``DeliveryVerdict/Outcome/kept``.
    case retire(reason: String, at: Date, unlessSeenAfter: Date?)
    /// Pause the app's sends on this platform until its credentials change.
    case pause(Platform, reason: String)
    /// Give the claim back untried, due again at `dueAt` (the gateway's throttle would hold it past its lease); the
    /// attempt it was claimed for is not counted.
    case release(dueAt: Date)
}
