import Foundation

/// The token lifecycle as a pure state machine.
///
/// ```
/// active ──staleWindowPassed──▶ stale ──expiryWindowPassed──▶ expired
/// active|stale ──gatewayRejected──▶ invalid(reason, at)
/// active|stale ──revoked──▶ revoked(reason)
/// active|stale ──replaced──▶ replaced(successor)
/// active|stale ──lifetimeEnded──▶ expired   (Live Activity update tokens)
/// revoked(consentWithdrawn) ──consentRestored──▶ active
/// any ──registered──▶ active   (except invalid, when the rejection is newer than the registration)
/// ```
///
/// A registration is the client proving the token works on the device, so it revives a
/// token in any state — with one exception taken from APNs: a 410 carries the time
/// from which the token stopped being valid, and a registration older than that proves
/// nothing.
public enum TokenLifecycle {
    /// The status after `event`, or the reason the transition is not allowed.
    public static func apply(_ event: TokenEvent, to status: TokenStatus) -> Result<TokenStatus, TransitionRefusal> {
        switch (status, event) {
        case (.invalid(_, let rejectedAt), .registered(let at)):
            return at > rejectedAt ? .success(.active) : .failure(TransitionRefusal(from: status, event: event))
        case (_, .registered):
            return .success(.active)
        case (.active, .staleWindowPassed):
            return .success(.stale)
        case (.stale, .expiryWindowPassed):
            return .success(.expired)
        case (.active, .gatewayRejected(let reason, let at)), (.stale, .gatewayRejected(let reason, let at)):
            return .success(.invalid(reason: reason, at: at))
        case (.active, .revoked(let reason)), (.stale, .revoked(let reason)):
            return .success(.revoked(reason: reason))
        case (.active, .lifetimeEnded), (.stale, .lifetimeEnded):
            return .success(.expired)
        case (.active, .replaced(let successor)), (.stale, .replaced(let successor)):
            return .success(.replaced(successor: successor))
        case (.revoked(.consentWithdrawn), .consentRestored):
            return .success(.active)
        default:
            return .failure(TransitionRefusal(from: status, event: event))
        }
    }
}

/// A transition ``TokenLifecycle`` does not allow.
public struct TransitionRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: TokenStatus
    public let event: TokenEvent
    public var description: String { "token in state \(from.name.rawValue) cannot take \(event)" }
}
