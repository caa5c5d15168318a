import Foundation
import Logging
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore {
    /// How many groups of registrations are written at once, and how many registrations a group holds at most. Two lanes
    /// measured best on two cores (bench/scale/README.md, session 31: 1 lane 1,642–2,115/s, 2 lanes 2,702–2,964/s,
    /// 4 lanes 1,600–2,319/s): fewer, larger groups run each rollup trigger fewer times, one lane leaves PostgreSQL idle
    /// while `perch` prepares the next group.
    static let registrationLanes = 2
    static let registrationGroupLimit = 128

    /// Writes a group of registrations of one app: together, in one transaction; when that fails, each in its own, so a
    /// registration that cannot be written fails alone.
    func writeRegistrations(_ group: [PendingRegistration]) async -> [Result<RegistrationResult, any Error>] {
        do {
            return try await registerTogether(group)
        } catch {
            guard group.count > 1 else { return [.failure(error)] }
            var outcomes: [Result<RegistrationResult, any Error>] = []
            for item in group {
                do { outcomes += try await registerTogether([item]) } catch { outcomes.append(.failure(error)) }
            }
            return outcomes
        }
    }

    /// One transaction: the group's locks, one read of its installations and one of its tokens, a plan per registration,
    /// then the rows of every plan (``RegistrationRows``). A registration whose plan reaches a row an earlier one in the
    /// group writes (a token moved from or replaced in another's installation) is written after the group, on its own.
    func registerTogether(_ group: [PendingRegistration]) async throws -> [Result<RegistrationResult, any Error>] {
        let logger = self.logger, vault = self.vault
        let appId = group[0].appId
        let written: [RegistrationResult?] = try await transaction { db in
            // One writer at a time per installation and per token identity: the plans below read before they write.
            try await Self.lock(db, keys: group.flatMap(\.lockKeys), logger: logger)
            let installations = try await Self.storedInstallations(db, appId: appId, ids: group.map(\.installationId), logger: logger)
            let tokens = try await Self.storedTokens(db, appId: appId, blindIndexes: group.flatMap { [$0.index] + ($0.previousIndex.map { [$0] } ?? []) },
                                                     vault: vault, logger: logger)
            var rows = RegistrationRows(), reached = Set<String>(), results: [RegistrationResult?] = []
            for item in group {
                let registration = item.registration
                let currentOfKind = registration.kind == .device ? []
                    : try await Self.currentTokens(db, appId: appId, installationId: item.installationId, kind: registration.kind, logger: logger)
                let installation = installations[item.installationId]
                let plan = RegistrationPlan.make(for: registration, installation: installation, sameToken: tokens[item.index],
                                                 previousToken: item.previousIndex.flatMap { tokens[$0] }, currentOfKind: currentOfKind,
                                                 newTokenId: item.newTokenId, now: item.now)
                let reaches = ([item.installationId] + (plan.movedFrom.map { [$0] } ?? [])).map { "installation:" + $0 }
                    + ([plan.tokenId] + plan.replaces).map { "token:" + $0 }
                guard reached.isDisjoint(with: reaches) else {
                    results.append(nil)
                    continue
                }
                reached.formUnion(reaches)
                rows.add(item, plan: plan, storedUserId: installation?.userId)
                results.append(RegistrationResult(tokenId: plan.tokenId, installationId: item.installationId, status: plan.tokenStatus,
                                                  consent: plan.consent, userId: plan.userId, created: plan.createsToken))
            }
            try await rows.write(db, logger: logger)
            return results
        }
        var outcomes: [Result<RegistrationResult, any Error>] = []
        for (item, result) in zip(group, written) {
            if let result {
                outcomes.append(.success(result))
            } else {
                do { outcomes += try await registerTogether([item]) } catch { outcomes.append(.failure(error)) }
            }
        }
        return outcomes
    }

    /// The stored installations among `ids`, by id.
    static func storedInstallations(_ db: PostgresConnection, appId: String, ids: [String],
                                    logger: Logger) async throws -> [String: RegistrationPlan.StoredInstallation] {
        var installations: [String: RegistrationPlan.StoredInstallation] = [:]
        for row in try await db.rows("""
            SELECT installation_id, user_id, token_id, consent FROM installations WHERE app_id = \(appId) AND installation_id = ANY(\(ids))
            """, logger: logger) {
            let (id, userId, tokenId, consent) = try row.decode((String, String?, String?, String?).self)
            installations[id] = RegistrationPlan.StoredInstallation(userId: userId, currentTokenId: tokenId,
                                                                    consent: consent.flatMap(ConsentStatus.init(rawValue:)))
        }
        return installations
    }

    /// The stored tokens whose blind index is among `blindIndexes`, by blind index, with their installation's user and consent.
    static func storedTokens(_ db: PostgresConnection, appId: String, blindIndexes: [Data], vault: TokenVault,
                             logger: Logger) async throws -> [Data: RegistrationPlan.StoredToken] {
        var tokens: [Data: RegistrationPlan.StoredToken] = [:]
        for row in try await db.rows("""
            SELECT t.blind_index, t.id, t.installation_id, t.sealed, t.status, t.status_reason, t.status_at, t.successor_id, t.expires_at,
                   i.user_id, i.consent
            FROM tokens t LEFT JOIN installations i ON i.app_id = t.app_id AND i.installation_id = t.installation_id
            WHERE t.app_id = \(appId) AND t.blind_index = ANY(\(blindIndexes.map { ByteBuffer(bytes: $0) }))
            """, logger: logger) {
            tokens[try row["blind_index"].decode(Data.self)] = RegistrationPlan.StoredToken(
                id: try row["id"].decode(String.self), installationId: try row["installation_id"].decode(String?.self),
                status: try tokenStatus(row), material: try vault.open(try row["sealed"].decode(Data.self), context: appId),
                holderUserId: try row["user_id"].decode(String?.self),
                holderConsent: try row["consent"].decode(String?.self).flatMap(ConsentStatus.init(rawValue:)),
                expiresAt: try row["expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:))
            )
        }
        return tokens
    }

    /// The installation's live tokens of `kind` (and its activity type and activity): the slot a VoIP or Live Activity
    /// token takes.
    static func currentTokens(_ db: PostgresConnection, appId: String, installationId: String, kind: TokenKind,
                              logger: Logger) async throws -> [String] {
        try await db.rows("""
            SELECT id FROM tokens WHERE app_id = \(appId) AND installation_id = \(installationId) AND kind = \(kind.name.rawValue)
                AND COALESCE(activity_type, '') = \(kind.activityType ?? "") AND COALESCE(activity_id, '') = \(kind.activityId ?? "")
                AND status IN ('active', 'stale')
            """, logger: logger).map { try $0[0].decode(String.self) }
    }
}
