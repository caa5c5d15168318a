import PerchCore

/// Token health for one app: the first cut of `GET /v1/metrics/tokens`.
/// Every number comes from stored rows at the time of the query, never from counters.
public struct TokenHealth: Sendable, Hashable, Codable {
    /// Narrows the population.
    public struct Filter: Sendable, Hashable {
        public var platform: Platform?
        public var appVersion: String?
        public init(platform: Platform? = nil, appVersion: String? = nil) {
            self.platform = platform
            self.appVersion = appVersion
        }
    }

    public struct OptIn: Sendable, Hashable, Codable {
        /// Installations that reported `prompt_shown`.
        public var prompted: Int
        /// Of those and others, installations that reported `permission_granted`.
        public var granted: Int
        /// granted / prompted; `nil` when nobody was prompted.
        public var rate: Double?

        /// For store backends.
        public init(prompted: Int, granted: Int, rate: Double?) {
            self.prompted = prompted
            self.granted = granted
            self.rate = rate
        }
    }

    /// All known tokens.
    public var total: Int
    /// Tokens by status name.
    public var byStatus: [String: Int]
    /// Tokens by platform, then status name.
    public var byPlatform: [String: [String: Int]]
    /// Active tokens.
    public var active: Int
    /// active / all known; `nil` with no tokens.
    public var validityRate: Double?
    /// stale / (active + stale): the share of live tokens not seen lately.
    public var staleShare: Double?
    public var optIn: OptIn
    /// Users with at least one live token.
    public var usersWithLiveTokens: Int
    /// Live tokens held by known users / those users.
    public var tokensPerUser: Double?
    /// Users holding more than one live token on the same platform / users with live tokens.
    public var duplicateTokenRate: Double?
    /// Retired tokens by `status:reason` (`invalid:Unregistered`, `revoked:unregistered`, `replaced`, `expired`).
    public var retirementsByReason: [String: Int]

    /// For store backends.
    public init(total: Int, byStatus: [String: Int], byPlatform: [String: [String: Int]], active: Int, validityRate: Double?,
                staleShare: Double?, optIn: OptIn, usersWithLiveTokens: Int, tokensPerUser: Double?, duplicateTokenRate: Double?,
                retirementsByReason: [String: Int]) {
        self.total = total
        self.byStatus = byStatus
        self.byPlatform = byPlatform
        self.active = active
        self.validityRate = validityRate
        self.staleShare = staleShare
        self.optIn = optIn
        self.usersWithLiveTokens = usersWithLiveTokens
        self.tokensPerUser = tokensPerUser
        self.duplicateTokenRate = duplicateTokenRate
        self.retirementsByReason = retirementsByReason
    }

    /// `numerator / denominator`, or `nil` when the denominator is zero.
    public static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}
