import Foundation
import PerchCore
import PerchStore

/// Token retirement written once: the core's rule (``TokenLifecycle/retirement(of:lastSeenAt:reason:at:unlessSeenAfter:)``)
/// decides, every backend writes it the same way.
extension RegistryStore where Self: SQLStore {
    public func retireToken(appId: String, tokenId: String, reason: String, at: Date, unlessSeenAfter: Date?) async throws -> Bool {
        for _ in 0..<Self.compareAndSetAttempts {
            guard let token = try await row(TokenStatements.retirementFacts(appId: appId, tokenIds: [tokenId], dialect: dialect), RetiringToken.init),
                  let writes = token.retirement(reason: reason, at: at, unlessSeenAfter: unlessSeenAfter)
            else { return false }
            let written = try await write(guard: writes.update, then: [writes.log]) { _ in true }
            if !written.isEmpty { return true }
        }
        throw PerchError(.conflict, "the token kept changing while it was being retired; try again")
    }

    public func endLiveActivity(appId: String, activityId: String, at: Date) async throws {
        try await execute([TokenStatements.endLiveActivity(appId: appId, activityId: activityId,
                                                           expiresAt: TokenLifecycle.expiry(afterActivityEndedAt: at))])
    }
}
