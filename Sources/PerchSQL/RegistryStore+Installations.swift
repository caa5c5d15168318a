import Foundation
import PerchCore
import PerchStore

/// What happens to one installation — unregistering, consent, binding to a person — written once for every
/// ``SQLStore``: each a plan that locks the installation (``SQLDialect/locks(_:)``), reads it, and writes what the
/// core decides, in one transaction.
extension RegistryStore where Self: SQLStore {
    public func unregister(appId: String, installationId: String, now: Date) async throws -> Bool {
        try await transaction(InstallationStatements.tokenChange(
            appId: appId, installationId: installationId, dialect: dialect, event: .revoked(.unregistered), at: now, missing: false,
            writes: [
                SQLStatement("UPDATE installations SET last_seen_at = ? WHERE app_id = ? AND installation_id = ?",
                             [.time(now), .text(appId), .text(installationId)]),
                RegistryStatements.log(appId: appId, at: now, kind: "unregistered", installationId: installationId),
            ], then: { _ in true }), readOnly: false)
    }

    public func setConsent(appId: String, installationId: String, record: ConsentRecord) async throws -> InstallationSummary? {
        let event: TokenEvent? = switch record.status {
        case .revoked: .revoked(.consentWithdrawn)
        case .granted: .consentRestored
        case .denied: nil
        }
        let (app, installation) = (SQLValue.text(appId), SQLValue.text(installationId))
        return try await transaction(InstallationStatements.tokenChange(
            appId: appId, installationId: installationId, dialect: dialect, event: event, at: record.at, missing: nil,
            writes: [
                SQLStatement("UPDATE installations SET consent = ?, consent_source = ?, consent_at = ? WHERE app_id = ? AND installation_id = ?",
                             [.text(record.status.rawValue), .text(record.source), .time(record.at), app, installation]),
                SQLStatement("INSERT INTO consent_history (app_id, installation_id, status, source, at) VALUES (?, ?, ?, ?, ?)",
                             [app, installation, .text(record.status.rawValue), .text(record.source), .time(record.at)]),
                InstallationStatements.summary(appId: appId, installationId: installationId),
            ], then: { answers in try answers.last?.first?.installationSummary() }), readOnly: false)
    }

    public func identify(appId: String, installationId: String, userId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        try await rebind(appId: appId, installationId: installationId, to: userId, now: now)
    }

    public func logout(appId: String, installationId: String, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        try await rebind(appId: appId, installationId: installationId, to: nil, now: now)
    }

    private func rebind(appId: String, installationId: String, to userId: String?, now: Date) async throws -> (InstallationSummary, previousUserId: String?)? {
        let (app, installation) = (SQLValue.text(appId), SQLValue.text(installationId))
        let rebound = try await transaction(SQLPlan<InstallationStatements.Rebound?>(
            dialect.locks([InstallationStatements.lockKey(appId, installationId)])
                + [SQLStatement("SELECT user_id FROM installations WHERE app_id = ? AND installation_id = ?", [app, installation])]
        ) { answers in
            guard let row = answers.last?.first else { return .done(nil) }
            let previous = try row.text(0)
            var writes: [SQLStatement] = []
            if previous != userId {
                if let userId {
                    writes.append(SQLStatement("INSERT INTO users (app_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                                               [app, .text(userId), .time(now), .time(now)]))
                }
                writes += [
                    SQLStatement("UPDATE installations SET user_id = ? WHERE app_id = ? AND installation_id = ?", [.text(userId), app, installation]),
                    RegistryStatements.log(appId: appId, at: now, kind: userId == nil ? "user_unbound" : (previous == nil ? "user_bound" : "user_moved"),
                                           installationId: installationId, userId: userId ?? previous, otherUserId: userId == nil ? nil : previous),
                ]
            }
            return .plan(SQLPlan(writes + [InstallationStatements.summary(appId: appId, installationId: installationId)]) { answers in
                .done(try answers.last?.first.map { InstallationStatements.Rebound(summary: try $0.installationSummary(), previous: previous) })
            })
        }, readOnly: false)
        return rebound.map { ($0.summary, $0.previous) }
    }
}
