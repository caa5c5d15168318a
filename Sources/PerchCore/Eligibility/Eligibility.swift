import Foundation

/// The send-time rules for one token, in the order they apply. Pure: the caller gathers
/// the facts (status, consent, earlier sends) and records the decision.
public struct Eligibility: Sendable, Hashable {
    public var includeStale: Bool
    public var userCaps: [FrequencyCap]
    public var tokenCaps: [FrequencyCap]
    public var quietHours: QuietHours?
    /// Transactional sends may bypass caps — never consent.
    public var bypassCaps: Bool

    public init(includeStale: Bool = true, userCaps: [FrequencyCap] = [], tokenCaps: [FrequencyCap] = [],
                quietHours: QuietHours? = nil, bypassCaps: Bool = false) {
        self.includeStale = includeStale
        self.userCaps = userCaps
        self.tokenCaps = tokenCaps
        self.quietHours = quietHours
        self.bypassCaps = bypassCaps
    }

    /// The facts about one candidate token.
    public struct Candidate: Sendable, Hashable {
        public var status: TokenStatus
        public var consent: ConsentStatus?
        public var userId: String?
        public var timezone: String?
        /// Times of earlier sends to the user (all devices), or to this installation when anonymous.
        public var userSends: [Date]
        public var tokenSends: [Date]

        public init(status: TokenStatus, consent: ConsentStatus?, userId: String?, timezone: String?,
                    userSends: [Date] = [], tokenSends: [Date] = []) {
            self.status = status
            self.consent = consent
            self.userId = userId
            self.timezone = timezone
            self.userSends = userSends
            self.tokenSends = tokenSends
        }
    }

    public enum Decision: Sendable, Hashable {
        case send
        case deferUntil(Date)
        case exclude(ExclusionReason)
    }

    public func decide(_ candidate: Candidate, now: Date) -> Decision {
        switch candidate.status {
        case .active: break
        case .stale: if !includeStale { return .exclude(.staleExcluded) }
        default: return .exclude(.tokenNotLive(candidate.status.name))
        }
        guard candidate.consent?.allowsSending == true else { return .exclude(.noConsent(candidate.consent)) }
        if !bypassCaps {
            if candidate.userId != nil, let cap = userCaps.first(where: { $0.isReached(by: candidate.userSends, now: now) }) {
                return .exclude(.userCapReached(cap))
            }
            if let cap = tokenCaps.first(where: { $0.isReached(by: candidate.tokenSends, now: now) }) {
                return .exclude(.tokenCapReached(cap))
            }
        }
        if let quietHours {
            switch quietHours.decision(at: now, timeZone: candidate.timezone) {
            case .sendNow: break
            case .skip: return .exclude(.quietHours)
            case .deferUntil(let date): return .deferUntil(date)
            }
        }
        return .send
    }
}
