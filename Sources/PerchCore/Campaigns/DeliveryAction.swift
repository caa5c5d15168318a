/// What the worker does next for one claimed delivery, as ``DeliveryStateMachine`` decides. Each action but the
/// last is answered with the machine's matching event.
public enum DeliveryAction: Sendable, Hashable {
    /// Read the campaign's prepared messages; answer ``DeliveryStateMachine/campaignRead(_:now:)``.
    case readCampaign
    /// Find the app's gateway for the platform; answer ``DeliveryStateMachine/routed(messagesPerSecond:)`` or
    /// ``DeliveryStateMachine/routeFailed(detail:)``.
    case route(Platform)
    /// Take a send permit within the platform's gateway's `perSecond`, counted across workers; answer
    /// ``DeliveryStateMachine/permitted()`` or ``DeliveryStateMachine/throttled(until:)``.
    case awaitPermit(Platform, perSecond: Double)
    /// Read whether the campaign was cancelled; answer ``DeliveryStateMachine/cancelChecked(_:)``.
    case checkCancelled
    /// Read the installation's current device token, which carries an FCM Live Activity push; answer
    /// ``DeliveryStateMachine/carrierFound(_:)`` or ``DeliveryStateMachine/carrierUnreadable()``.
    case findCarrier
    /// Render the message and send it to `destination` (with `liveActivityToken` for FCM's Live Activity field);
    /// answer ``DeliveryStateMachine/answered(_:now:random:)``.
    case send(to: PushDestination, liveActivityToken: String?)
    /// Done: these writes go into the batch's one transaction.
    case finish([DeliveryWrite])
}
