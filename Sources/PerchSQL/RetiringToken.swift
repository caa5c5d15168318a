import Foundation
import PerchCore

/// A token as a gateway's dead verdict finds it (``TokenStatements/retirementFacts(appId:tokenIds:dialect:)``), and
/// what retiring it writes: the one place both a single retirement and a batch's turn ``TokenLifecycle``'s rule into
/// statements.
public struct RetiringToken: Sendable {
    public var appId: String
    public var tokenId: String
    public var status: TokenStatus
    public var lastSeenAt: Double

    public init(_ row: any SQLRow) throws {
        appId = try row.text(required: 0)
        tokenId = try row.text(required: 1)
        status = try row.tokenStatus(from: 2)
        lastSeenAt = try row.real(required: 6)
    }

    /// The writes of a retirement: the status, guarded by the status and last-seen time read (a compare-and-set), and
    /// the registry log entry.
    public struct Writes: Sendable {
        public var status: TokenStatus
        public var update: SQLStatement
        public var log: SQLStatement
    }

    /// The writes that retire the token with `reason` as of `at`, or `nil` when it keeps its status (registered after
    /// `unlessSeenAfter`, APNs' 410 timestamp, or no longer live).
    public func retirement(reason: String, at: Date, unlessSeenAfter: Date?) -> Writes? {
        guard let next = TokenLifecycle.retirement(of: status, lastSeenAt: Date(timeIntervalSince1970: lastSeenAt), reason: reason, at: at,
                                                   unlessSeenAfter: unlessSeenAfter)
        else { return nil }
        return Writes(status: next,
                      update: TokenStatements.setStatus(next, now: at, appId: appId, tokenId: tokenId, from: status, lastSeenAt: lastSeenAt),
                      log: RegistryStatements.log(appId: appId, at: at, kind: "token_invalidated", tokenId: tokenId))
    }
}
