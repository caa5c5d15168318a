import Foundation
import PerchCore
import PerchStore

/// Token health's counts read from `token_health_rollups` (``RollupStatements``), the same from either backend.
public enum TokenHealthRollupQuery {
    public struct Counts: Sendable, Hashable {
        public var byStatus: [String: Int] = [:]
        public var byPlatform: [String: [String: Int]] = [:]
        public var byKind: [String: [String: Int]] = [:]
        public var retirementsByReason: [String: Int] = [:]
    }

    /// The statuses a retirement leaves a token in.
    static let retired: Set<String> = ["invalid", "revoked", "expired", "replaced"]

    public static func counts(appId: String, filter: TokenHealth.Filter, on store: some SQLStore) async throws -> Counts {
        var counts = Counts()
        let values = TokenHealthFilterValues(platform: filter.platform?.rawValue, appVersion: filter.appVersion, kind: filter.kind?.rawValue)
        for (platform, kind, status, reason, n) in try await store.rows(RollupStatements.tokenGroups(appId: appId, filter: values), { row in
            (try row.text(required: 0), try row.text(required: 1), try row.text(required: 2), try row.text(required: 3), try row.integer(required: 4))
        }) {
            counts.byStatus[status, default: 0] += n
            counts.byPlatform[platform, default: [:]][status, default: 0] += n
            counts.byKind[kind, default: [:]][status, default: 0] += n
            if retired.contains(status) { counts.retirementsByReason[reason.isEmpty ? status : "\(status):\(reason)", default: 0] += n }
        }
        return counts
    }
}

/// `GET /v1/metrics/tokens`, read from the rollups the same way on either backend.
extension HealthStore where Self: SQLStore {
    public func tokenHealth(appId: String, filter: TokenHealth.Filter) async throws -> TokenHealth {
        let counts = try await TokenHealthRollupQuery.counts(appId: appId, filter: filter, on: self)
        let values = TokenHealthFilterValues(platform: filter.platform?.rawValue, appVersion: filter.appVersion, kind: filter.kind?.rawValue)
        let users = try await row(RollupStatements.userHealth(appId: appId, filter: values)) { row in
            (try row.integer(required: 0), try row.integer(required: 1), try row.integer(required: 2))
        } ?? (0, 0, 0)
        let optIn = try await row(RollupStatements.optIn(appId: appId, filter: filter)) { row in
            (try row.integer(required: 0), try row.integer(required: 1))
        } ?? (0, 0)
        return TokenHealth(byStatus: counts.byStatus, byPlatform: counts.byPlatform, byKind: counts.byKind,
                           retirementsByReason: counts.retirementsByReason, usersWithLiveTokens: users.0, liveUserTokens: users.1,
                           usersWithDuplicates: users.2, prompted: optIn.0, granted: optIn.1)
    }
}

