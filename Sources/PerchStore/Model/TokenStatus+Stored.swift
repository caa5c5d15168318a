import Foundation
import PerchCore

extension TokenStatus {
    /// The columns a status is stored in: name, reason, time, successor.
    public var storedColumns: (status: String, reason: String?, at: Double?, successor: String?) {
        switch self {
        case .active, .stale, .expired: (name.rawValue, nil, nil, nil)
        case .invalid(let reason, let at): (name.rawValue, reason, at.timeIntervalSince1970, nil)
        case .revoked(let reason): (name.rawValue, reason.rawValue, nil, nil)
        case .replaced(let successor): (name.rawValue, nil, nil, successor)
        }
    }

    /// Rebuilds a status from its stored columns.
    public init(status: String, reason: String?, at: Double?, successor: String?) {
        switch TokenStatusName(rawValue: status) ?? .invalid {
        case .active: self = .active
        case .stale: self = .stale
        case .expired: self = .expired
        case .invalid: self = .invalid(reason: reason ?? "unknown", at: Date(timeIntervalSince1970: at ?? 0))
        case .revoked: self = .revoked(reason: RevocationReason(rawValue: reason ?? "") ?? .unregistered)
        case .replaced: self = .replaced(successor: successor ?? "")
        }
    }
}
