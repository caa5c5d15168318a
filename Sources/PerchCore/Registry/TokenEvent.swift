import Foundation

/// Something that happens to a token; the input of ``TokenLifecycle``.
public enum TokenEvent: Sendable, Hashable {
    /// The client registered this very token again at `at`.
    case registered(at: Date)
    /// Hygiene: not seen for the stale window.
    case staleWindowPassed
    /// Hygiene: not seen for the expiry window.
    case expiryWindowPassed
    /// A gateway rejected the token for good.
    case gatewayRejected(reason: String, at: Date)
    /// The client unregistered, or consent was withdrawn.
    case revoked(RevocationReason)
    /// The installation registered a new token; this one is superseded.
    case replaced(successor: String)
    /// Consent was granted again after being withdrawn.
    case consentRestored
    /// The token's own lifetime is over: a Live Activity update token whose activity ended or outlived
    /// ``TokenLifecycle/liveActivityTokenLifetime``.
    case lifetimeEnded
}
