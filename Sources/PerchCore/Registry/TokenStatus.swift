import Foundation

/// Where a token stands in its life. Only `active` and `stale` tokens are live:
/// they can be sent to (stale ones flagged), refreshed, revoked or invalidated.
public enum TokenStatus: Sendable, Hashable {
    /// Seen within `staleAfter`.
    case active
    /// Not seen for `staleAfter` (default 30 days); still sendable, flagged.
    case stale
    /// A gateway said the token is dead. `at` is the gateway's timestamp when it gave one
    /// (APNs 410), otherwise the time of the answer.
    case invalid(reason: String, at: Date)
    /// Not seen for `expireAfter` (default 270 days).
    case expired
    /// Unregistered by the client, or consent withdrawn.
    case revoked(reason: RevocationReason)
    /// Refreshed: the installation now holds `successor`.
    case replaced(successor: String)

    /// Whether the token is still a delivery address.
    public var isLive: Bool {
        switch self {
        case .active, .stale: true
        default: false
        }
    }

    /// The stored name of the status, as the public API shows it.
    public var name: TokenStatusName {
        switch self {
        case .active: .active
        case .stale: .stale
        case .invalid: .invalid
        case .expired: .expired
        case .revoked: .revoked
        case .replaced: .replaced
        }
    }
}

/// The status names of the public contract (`status` fields, filters, metrics).
public enum TokenStatusName: String, Sendable, Codable, CaseIterable, Hashable {
    case active, stale, invalid, expired, revoked, replaced
}

/// Why a token was revoked.
public enum RevocationReason: String, Sendable, Codable, Hashable {
    /// `DELETE /v1/installations/{id}`.
    case unregistered
    /// Consent moved to `revoked` or `denied`.
    case consentWithdrawn = "consent_withdrawn"
}
