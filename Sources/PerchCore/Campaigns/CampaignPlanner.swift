import Foundation

/// Turns a campaign's audience into one decision per token, at send time. Pure: the store gathers
/// the candidates and their history, the planner decides, the store writes one delivery row per token —
/// sent or suppressed with its reason — so `explain` can always say why.
///
/// Targeting is per person, sending per token: holdout and variant are drawn per person (the user, or
/// the installation when anonymous), caps count messages per person across all their devices, and the
/// device policy picks among one person's eligible tokens.
public struct CampaignPlanner: Sendable {
    /// One token the audience selected, with the facts the rules ask about.
    public struct Candidate: Sendable, Hashable {
        public var tokenId: String
        public var installationId: String
        public var userId: String?
        public var platform: Platform
        public var status: TokenStatus
        public var consent: ConsentStatus?
        public var timezone: String?
        public var lastSeenAt: Date

        public init(tokenId: String, installationId: String, userId: String?, platform: Platform, status: TokenStatus,
                    consent: ConsentStatus?, timezone: String?, lastSeenAt: Date) {
            self.tokenId = tokenId
            self.installationId = installationId
            self.userId = userId
            self.platform = platform
            self.status = status
            self.consent = consent
            self.timezone = timezone
            self.lastSeenAt = lastSeenAt
        }

        /// The person: the user when known, the installation otherwise.
        public var person: String { userId.map { Self.userPersonPrefix + $0 } ?? Self.installationPersonPrefix + installationId }
        /// What keeps a user's key apart from an installation's; the stores' SQL builds the same keys from these.
        public static let userPersonPrefix = "user:"
        public static let installationPersonPrefix = "installation:"
    }

    /// What earlier sends and opens tell about the audience.
    public struct History: Sendable {
        /// Times of earlier messages per person (one per campaign or send, whatever the number of devices).
        public var sendsByPerson: [String: [Date]]
        /// Local hours of past opens per user id (for optimised send times).
        public var openHoursByUser: [String: [Int]]

        public init(sendsByPerson: [String: [Date]] = [:], openHoursByUser: [String: [Int]] = [:]) {
            self.sendsByPerson = sendsByPerson
            self.openHoursByUser = openHoursByUser
        }
    }

    /// The decision for one token.
    public struct Planned: Sendable, Hashable {
        public var candidate: Candidate
        /// The variant index when the campaign has variants.
        public var variant: Int?
        /// Send no earlier than this, or leave out for the reason.
        public var decision: Decision

        public enum Decision: Sendable, Hashable {
            case send(notBefore: Date)
            case exclude(ExclusionReason)
        }
    }

    public let campaignId: String
    public let definition: CampaignDefinition

    public init(campaignId: String, definition: CampaignDefinition) {
        self.campaignId = campaignId
        self.definition = definition
    }

    /// Decides every candidate; the result has one entry per candidate, in input order.
    public func plan(_ candidates: [Candidate], history: History, start: Date) -> [Planned] {
        let eligibility = definition.eligibility
        let schedule = definition.schedule ?? CampaignSchedule()
        let weights = definition.variants?.map(\.weight) ?? []
        let holdout = definition.holdoutPercent ?? 0
        let policy = definition.devicePolicy ?? .all

        var planned: [Planned] = []
        planned.reserveCapacity(candidates.count)
        // Indices of each known user's tokens that passed every rule, for the device policy.
        var passedByUser: [String: [Int]] = [:]
        for candidate in candidates {
            let person = candidate.person
            if Assignment.isHeldOut(campaignId: campaignId, person: person, holdoutPercent: holdout) {
                planned.append(Planned(candidate: candidate, variant: nil, decision: .exclude(.holdout)))
                continue
            }
            let variant = weights.isEmpty ? nil : Assignment.variant(campaignId: campaignId, person: person, weights: weights)
            let sendAt = schedule.sendTime(start: start, timeZone: candidate.timezone,
                                           openHours: candidate.userId.flatMap { history.openHoursByUser[$0] } ?? [])
            let sends = history.sendsByPerson[person] ?? []
            let facts = Eligibility.Candidate(status: candidate.status, consent: candidate.consent, userId: candidate.userId,
                                              timezone: candidate.timezone, userSends: sends, tokenSends: sends)
            let decision: Planned.Decision
            switch eligibility.decide(facts, now: sendAt) {
            case .send: decision = .send(notBefore: sendAt)
            case .deferUntil(let date): decision = .send(notBefore: date)
            case .exclude(let reason): decision = .exclude(reason)
            }
            if case .send = decision, let user = candidate.userId {
                passedByUser[user, default: []].append(planned.count)
            }
            planned.append(Planned(candidate: candidate, variant: variant, decision: decision))
        }
        guard policy != .all else { return planned }
        for indices in passedByUser.values where indices.count > 1 {
            let chosen = policy.choose(indices.map { (planned[$0].candidate.tokenId, planned[$0].candidate.platform, planned[$0].candidate.lastSeenAt) })
            for index in indices where !chosen.contains(planned[index].candidate.tokenId) {
                planned[index].decision = .exclude(.devicePolicy(policy))
            }
        }
        return planned
    }
}
