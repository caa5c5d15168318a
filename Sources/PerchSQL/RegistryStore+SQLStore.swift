import Foundation
import PerchCore
import PerchStore

/// Token retirement written once: the core's rule (``TokenLifecycle/retirement(of:lastSeenAt:reason:at:unlessSeenAfter:)``)
/// decides, every backend writes it the same way.
extension RegistryStore where Self: SQLStore {
    public func retireToken(appId: String, tokenId: String, reason: String, at: Date, unlessSeenAfter: Date?) async throws -> Bool {
        for _ in 0..<Self.compareAndSetAttempts {
            guard let (status, lastSeen) = try await row(TokenStatements.retirementFacts(appId: appId, tokenId: tokenId), { row in
                (try row.tokenStatus(from: 0), try row.real(required: 4))
            }) else { return false }
            guard let next = TokenLifecycle.retirement(of: status, lastSeenAt: Date(timeIntervalSince1970: lastSeen), reason: reason, at: at,
                                                       unlessSeenAfter: unlessSeenAfter)
            else { return false }
            let written = try await write(guard: TokenStatements.setStatus(next, now: at, appId: appId, tokenId: tokenId, from: status, lastSeenAt: lastSeen),
                                          then: [RegistryStatements.log(appId: appId, at: at, kind: "token_invalidated", tokenId: tokenId)]) { _ in true }
            if !written.isEmpty { return true }
        }
        throw PerchError(.conflict, "the token kept changing while it was being retired; try again")
    }

    public func endLiveActivity(appId: String, activityId: String, at: Date) async throws {
        try await execute([TokenStatements.endLiveActivity(appId: appId, activityId: activityId,
                                                           expiresAt: TokenLifecycle.expiry(afterActivityEndedAt: at))])
    }
}
