import Foundation
import PerchCore
import PerchStore

/// Apps, their keys with rotations, identity secrets, dashboard sessions and gateway settings, written once for
/// every ``SQLStore``. Secrets are sealed before the transaction and opened after it.
extension AppStore where Self: SQLStore {
    public func app(id: String) async throws -> AppRecord? {
        try await row(AppStatements.app(id: id)) { try $0.app() }
    }

    public func apps() async throws -> [AppRecord] {
        try await rows(AppStatements.all) { try $0.app() }
    }

    public func createApp(name: String, bundleId: String?, webOrigin: String?, now: Date) async throws -> CreatedApp {
        let id = StoreIdentifier.new("app")
        let (created, sealedVapid, identity) = try CreatedApp.generate(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin,
                                                                       vault: vault, now: now)
        let (publishable, secret) = (created.publishableKey, created.secretKey)
        try await execute([
            SQLStatement("""
                INSERT INTO apps (id, name, bundle_id, web_origin, publishable_key_digest, secret_key_digest,
                                  vapid_public_key, vapid_private_key_sealed, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(id), .text(name), .text(bundleId), .text(webOrigin), .text(publishable.digest), .text(secret.digest),
                      .text(created.app.vapidPublicKey), .blob(sealedVapid), .time(now)]),
            AppStatements.insertIdentitySecret(appId: id, identity, now: now),
        ] + AppStatements.insertKeys(appId: id, publishable: publishable, secret: secret, now: now))
        return created
    }

    public func keyGrant(forDigest digest: String, now: Date) async throws -> KeyGrant? {
        try await row(SQLStatement("""
            SELECT app_id, kind, expires_at FROM app_keys WHERE digest = ? AND (expires_at IS NULL OR expires_at > ?)
            """, [.text(digest), .time(now)])) { row -> KeyGrant? in
            guard let kind = APIKey.Kind(rawValue: try row.text(required: 1)) else { return nil }
            return KeyGrant(principal: .app(id: try row.text(required: 0), kind: kind), expiresAt: try row.time(2))
        } ?? nil
    }

    public func rotateKeys(appId: String, graceSeconds: Int, now: Date) async throws -> RotatedKeys? {
        let (publishable, secret) = (APIKey.generate(.publishable), APIKey.generate(.secret))
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        let rotated = try await write(guard: SQLStatement("""
            UPDATE apps SET publishable_key_digest = ?, secret_key_digest = ? WHERE id = ? RETURNING id
            """, [.text(publishable.digest), .text(secret.digest), .text(appId)]),
            then: AppStatements.endGrace(table: "app_keys", appId: appId, end: end, now: now)
                + AppStatements.insertKeys(appId: appId, publishable: publishable, secret: secret, now: now)
                // A rotation answers a leak or a departure: every dashboard session opened with the old secret key ends now.
                + [SQLStatement("DELETE FROM dashboard_sessions WHERE app_id = ?", [.text(appId)])]) { _ in true }
        return rotated.isEmpty ? nil : RotatedKeys(publishableKey: publishable, secretKey: secret, previousExpireAt: end)
    }

    public func rotateIdentitySecret(appId: String, graceSeconds: Int, now: Date) async throws -> IdentitySecret? {
        let identity = try SealedIdentitySecret.generate(appId: appId, vault: vault)
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        // The app's row, locked, so two rotations at once each leave one live secret behind them.
        let rotated = try await write(guard: SQLStatement("SELECT id FROM apps WHERE id = ?\(dialect.forUpdate)", [.text(appId)]),
                                      then: AppStatements.endGrace(table: "identity_secrets", appId: appId, end: end, now: now)
                                          + [AppStatements.insertIdentitySecret(appId: appId, identity, now: now)]) { _ in true }
        return rotated.isEmpty ? nil : identity.secret
    }

    public func identitySecrets(appId: String, now: Date) async throws -> [IdentitySecret] {
        let vault = self.vault
        return try await rows(SQLStatement("""
            SELECT id, secret_sealed FROM identity_secrets WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?)
            ORDER BY created_at DESC, (expires_at IS NULL) DESC
            """, [.text(appId), .time(now)])) { row in
            try SealedIdentitySecret.open(try row.blob(required: 1), appId: appId, id: try row.text(required: 0), vault: vault)
        }
    }

    public func setIdentityVerification(appId: String, _ verification: IdentityVerification) async throws -> AppRecord? {
        try await write(guard: SQLStatement("UPDATE apps SET identity_verification = ? WHERE id = ? RETURNING \(AppStatements.columns)",
                                            [.text(verification.rawValue), .text(appId)]), then: []) { try $0.app() }.first
    }

    public func openDashboardSession(_ session: DashboardSessionRecord, now: Date) async throws {
        try await execute([
            SQLStatement("DELETE FROM dashboard_sessions WHERE app_id = ? AND expires_at <= ?", [.text(session.appId), .time(now)]),
            SQLStatement("INSERT INTO dashboard_sessions (id_digest, app_id, key_digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                         [.text(session.idDigest), .text(session.appId), .text(session.keyDigest), .time(session.createdAt),
                          .time(session.expiresAt)]),
        ])
    }

    public func isDashboardSessionOpen(idDigest: String, now: Date) async throws -> Bool {
        try await row(SQLStatement("SELECT 1 FROM dashboard_sessions WHERE id_digest = ? AND expires_at > ?", [.text(idDigest), .time(now)])) { _ in
            true
        } ?? false
    }

    public func closeDashboardSession(idDigest: String) async throws {
        try await execute([SQLStatement("DELETE FROM dashboard_sessions WHERE id_digest = ?", [.text(idDigest)])])
    }

    public func setGateway(appId: String, settings: GatewaySettings) async throws {
        let platform = settings.platform.rawValue
        let sealed = try vault.seal(Data(settings.settings.jsonText.utf8), context: "gateway:\(appId):\(platform)")
        try await execute([
            SQLStatement("""
                INSERT INTO gateways (app_id, platform, settings_sealed, summary, updated_at) VALUES (?, ?, ?, \(dialect.json("?")), ?)
                ON CONFLICT (app_id, platform) DO UPDATE SET settings_sealed = excluded.settings_sealed,
                    summary = excluded.summary, updated_at = excluded.updated_at
                """, [.text(appId), .text(platform), .blob(sealed), .text(JSONValue.object(settings.summary).jsonText), .time(settings.updatedAt)]),
            // New credentials end a pause their predecessors caused.
            SQLStatement("DELETE FROM gateway_pauses WHERE app_id = ? AND platform = ?", [.text(appId), .text(platform)]),
        ])
    }

    public func gateway(appId: String, platform: Platform) async throws -> GatewaySettings? {
        guard let (sealed, summaryText, updatedAt) = try await row(SQLStatement("""
            SELECT settings_sealed, CAST(summary AS TEXT), updated_at FROM gateways WHERE app_id = ? AND platform = ?
            """, [.text(appId), .text(platform.rawValue)]), { row in
            (try row.blob(required: 0), try row.text(required: 1), try row.real(required: 2))
        })
        else { return nil }
        let opened = try vault.open(sealed, context: "gateway:\(appId):\(platform.rawValue)")
        guard let settings = JSONValue(jsonText: String(decoding: opened, as: UTF8.self)),
              case .object(let summary)? = JSONValue(jsonText: summaryText)
        else { throw PerchError(.internalError, "stored gateway settings are unreadable") }
        return GatewaySettings(platform: platform, settings: settings, summary: summary, updatedAt: Date(timeIntervalSince1970: updatedAt))
    }

    public func vapidPrivateKey(appId: String) async throws -> Data {
        guard let sealed = try await row(SQLStatement("SELECT vapid_private_key_sealed FROM apps WHERE id = ?", [.text(appId)]), {
            try $0.blob(required: 0)
        })
        else { throw PerchError.notFound("app") }
        return try vault.open(sealed, context: "vapid:" + appId)
    }

    public func setAllowedEndpointHosts(appId: String, hosts: [String]) async throws {
        let json = JSONValue.array(hosts.map { .string($0.lowercased()) }).jsonText
        try await execute([SQLStatement("UPDATE apps SET allowed_endpoint_hosts = \(dialect.json("?")) WHERE id = ?", [.text(json), .text(appId)])])
    }
}
