import Foundation

/// Why a token was left out of a send. Every exclusion is recorded with one of these, and
/// `explain` returns it.
public enum ExclusionReason: Sendable, Hashable, CustomStringConvertible {
    case tokenNotLive(TokenStatusName)
    case staleExcluded
    case noConsent(ConsentStatus?)
    case userCapReached(FrequencyCap)
    case tokenCapReached(FrequencyCap)
    case quietHours
    case devicePolicy(DevicePolicy)
    case holdout
    /// A triggered send's cancel condition: the person did this event before the send was due.
    case cancelCondition(String)

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .tokenNotLive(let status): "token_\(status.rawValue)"
        case .staleExcluded: "token_stale"
        case .noConsent(let consent): "consent_\(consent?.rawValue ?? "unknown")"
        case .userCapReached: "frequency_cap_user"
        case .tokenCapReached: "frequency_cap_token"
        case .quietHours: "quiet_hours"
        case .devicePolicy: "device_policy"
        case .holdout: "holdout"
        case .cancelCondition: "cancel_condition"
        }
    }

    public var description: String {
        switch self {
        case .tokenNotLive(let status): "the token is \(status.rawValue)"
        case .staleExcluded: "the token is stale and the campaign excludes stale tokens"
        case .noConsent(let consent): "consent is \(consent?.rawValue ?? "not recorded")"
        case .userCapReached(let cap): "the user reached the frequency cap of \(cap)"
        case .tokenCapReached(let cap): "the installation reached the frequency cap of \(cap)"
        case .quietHours: "quiet hours in the recipient's time zone"
        case .devicePolicy(let policy): "another device of the user was chosen (device policy \(policy.rawValue))"
        case .holdout: "held out for measuring lift"
        case .cancelCondition(let event): "the person did \(event) before the send was due"
        }
    }
}
