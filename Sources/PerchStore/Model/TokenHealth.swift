import PerchCore

/// Token health for one app: the first cut of `GET /v1/metrics/tokens`.
/// Every number comes from stored rows at the time of the query, never from counters.
public struct TokenHealth: Sendable, Hashable, Codable {
    /// Narrows the population.
    public struct Filter: Sendable, Hashable {
        public var platform: Platform?
        public var appVersion: String?
        /// One kind of token (device, voip, liveActivityStart, liveActivity); `nil` counts every kind.
        public var kind: TokenKindName?
        public init(platform: Platform? = nil, appVersion: String? = nil, kind: TokenKindName? = nil) {
            self.platform = platform
            self.appVersion = appVersion
            self.kind = kind
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
    /// Tokens by kind (`device`, `voip`, `liveActivityStart`, `liveActivity`), then status name.
    public var byKind: [String: [String: Int]]
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
    /// Users holding more than one live token on the same platform, of the same kind (and activity) / users with live tokens.
    public var duplicateTokenRate: Double?
    /// Retired tokens by `status:reason` (`invalid:Unregistered`, `revoked:unregistered`, `replaced`, `expired`).
    public var retirementsByReason: [String: Int]

    /// For store backends.
    /// Token health from the counts a backend reads; every rate is derived here, the same for every backend.
    /// - Parameters:
    ///   - usersWithLiveTokens: users with at least one live token; `liveUserTokens`: the live tokens they hold;
    ///     `usersWithDuplicates`: those holding more than one live token on the same platform.
    ///   - prompted, granted: installations with `prompt_shown` and with `permission_granted`.
    public init(byStatus: [String: Int], byPlatform: [String: [String: Int]], byKind: [String: [String: Int]] = [:],
                retirementsByReason: [String: Int],
                usersWithLiveTokens: Int, liveUserTokens: Int, usersWithDuplicates: Int, prompted: Int, granted: Int) {
        let active = byStatus["active"] ?? 0, stale = byStatus["stale"] ?? 0
        total = byStatus.values.reduce(0, +)
        self.byStatus = byStatus
        self.byPlatform = byPlatform
        self.byKind = byKind
        self.active = active
        validityRate = Self.ratio(active, total)
        staleShare = Self.ratio(stale, active + stale)
        optIn = OptIn(prompted: prompted, granted: granted, rate: Self.ratio(granted, prompted))
        self.usersWithLiveTokens = usersWithLiveTokens
        tokensPerUser = Self.ratio(liveUserTokens, usersWithLiveTokens)
        duplicateTokenRate = Self.ratio(usersWithDuplicates, usersWithLiveTokens)
        self.retirementsByReason = retirementsByReason
    }

    /// `numerator / denominator`, or `nil` when the denominator is zero.
    public static func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
        denominator == 0 ? nil : Double(numerator) / Double(denominator)
    }
}
