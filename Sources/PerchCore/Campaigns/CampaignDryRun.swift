import Foundation

/// What a campaign would do if it started now: the planner's decisions counted, nothing sent and nothing written.
/// Counted from the very ``CampaignPlanner/Planned`` list a real send writes as delivery rows, so the numbers are
/// the ones the send will have (unless the audience or its history changes in between).
///
/// Tokens and people count what would be sent to; `leftOut` counts tokens by ``ExclusionReason/code``, the same
/// codes a sent campaign reports as `suppressedByReason`.
public struct CampaignDryRun: Sendable, Hashable, Codable {
    /// Tokens that would be sent to.
    public var tokens: Int
    /// Distinct people (users, or installations when anonymous) that would be sent to.
    public var people: Int
    /// Tokens that would be sent to, per platform (`apns`, `fcm`, `webpush`).
    public var byPlatform: [String: Int]
    /// Tokens that would be sent to, per variant name; empty without variants.
    public var byVariant: [String: Int]
    /// Tokens left out, per reason code (`holdout`, `consent_denied`, `quiet_hours`, `frequency_cap_user`, …).
    public var leftOut: [String: Int]

    public init(tokens: Int = 0, people: Int = 0, byPlatform: [String: Int] = [:], byVariant: [String: Int] = [:], leftOut: [String: Int] = [:]) {
        self.tokens = tokens
        self.people = people
        self.byPlatform = byPlatform
        self.byVariant = byVariant
        self.leftOut = leftOut
    }

    /// Counts a plan. `variantNames` are the campaign's variants in order (a planned variant index names one).
    public init(_ planned: [CampaignPlanner.Planned], variantNames: [String]) {
        self.init()
        var people = Set<String>()
        for entry in planned {
            switch entry.decision {
            case .send:
                tokens += 1
                people.insert(entry.candidate.person)
                byPlatform[entry.candidate.platform.rawValue, default: 0] += 1
                if let index = entry.variant, variantNames.indices.contains(index) {
                    byVariant[variantNames[index], default: 0] += 1
                }
            case .exclude(let reason):
                leftOut[reason.code, default: 0] += 1
            }
        }
        self.people = people.count
    }

    /// Adds the counts of a plan of other people (people are counted once per plan, so the plans must not share one).
    public mutating func add(_ other: CampaignDryRun) {
        tokens += other.tokens
        people += other.people
        byPlatform.merge(other.byPlatform, uniquingKeysWith: +)
        byVariant.merge(other.byVariant, uniquingKeysWith: +)
        leftOut.merge(other.leftOut, uniquingKeysWith: +)
    }
}
