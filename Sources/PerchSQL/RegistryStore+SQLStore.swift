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

    public func installation(appId: String, installationId: String) async throws -> InstallationSummary? {
        try await row(InstallationStatements.summary(appId: appId, installationId: installationId)) { try $0.installationSummary() }
    }

    public func consentHistory(appId: String, installationId: String) async throws -> [ConsentRecord] {
        try await rows(InstallationStatements.consentHistory(appId: appId, installationId: installationId)) { try $0.consentRecord() }
            .compactMap { $0 }
    }

    public func currentDestination(appId: String, installationId: String) async throws -> (tokenId: String, destination: PushDestination, status: TokenStatus)? {
        let vault = self.vault
        return try await row(InstallationStatements.currentToken(appId: appId, installationId: installationId)) { row in
            guard let destination = try row.storedDestination(from: 1, vault: vault, appId: appId) else { return nil }
            return (try row.text(required: 0), destination, try row.tokenStatus(from: 4))
        } ?? nil
    }

    @discardableResult
    public func tokenId(appId: String, destination: PushDestination) async throws -> String? {
        let index = vault.blindIndex(appId: appId, platform: destination.platform, identity: destination.identity)
        return try await row(SQLStatement("SELECT id FROM tokens WHERE app_id = ? AND blind_index = ?", [.text(appId), .blob(index)])) {
            try $0.text(required: 0)
        }
    }
}
