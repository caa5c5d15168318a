import Crypto
import Foundation
import GRDB
import PerchCore
import PerchSQL
import PerchStore

extension SQLiteStore: AppStore {
    public func createApp(name: String, bundleId: String?, webOrigin: String?, now: Date) async throws -> CreatedApp {
        let id = Self.newId("app")
        let (created, sealedVapid, identity) = try CreatedApp.generate(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin,
                                                                       vault: vault, now: now)
        let (publishable, secret, vapidPublic) = (created.publishableKey, created.secretKey, created.app.vapidPublicKey)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO apps (id, name, bundle_id, web_origin, publishable_key_digest, secret_key_digest,
                                  vapid_public_key, vapid_private_key_sealed, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, bundleId, webOrigin, publishable.digest, secret.digest, vapidPublic, sealedVapid, now.stored])
            try Self.insertKeys(db, appId: id, publishable: publishable, secret: secret, now: now)
            try db.execute(sql: "INSERT INTO identity_secrets (app_id, id, secret_sealed, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [id, identity.id, identity.sealed, now.stored])
        }
        return created
    }

    public func keyGrant(forDigest digest: String, now: Date) async throws -> KeyGrant? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT app_id, kind, expires_at FROM app_keys WHERE digest = ? AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [digest, now.stored]),
                let kind = APIKey.Kind(rawValue: row["kind"])
            else { return nil }
            let expiresAt: Double? = row["expires_at"]
            return KeyGrant(principal: .app(id: row["app_id"], kind: kind), expiresAt: expiresAt.map(Date.init(stored:)))
        }
    }

    public func rotateKeys(appId: String, graceSeconds: Int, now: Date) async throws -> RotatedKeys? {
        let (publishable, secret) = (APIKey.generate(.publishable), APIKey.generate(.secret))
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        let rotated = try await pool.write { db -> Bool in
            try db.execute(sql: "UPDATE apps SET publishable_key_digest = ?, secret_key_digest = ? WHERE id = ?",
                           arguments: [publishable.digest, secret.digest, appId])
            guard db.changesCount == 1 else { return false }
            try Self.endGrace(db, table: "app_keys", appId: appId, end: end, now: now)
            try Self.insertKeys(db, appId: appId, publishable: publishable, secret: secret, now: now)
            // A rotation answers a leak or a departure: every dashboard session opened with the old secret key ends now.
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE app_id = ?", arguments: [appId])
            return true
        }
        return rotated ? RotatedKeys(publishableKey: publishable, secretKey: secret, previousExpireAt: end) : nil
    }

    public func rotateIdentitySecret(appId: String, graceSeconds: Int, now: Date) async throws -> IdentitySecret? {
        let identity = try SealedIdentitySecret.generate(appId: appId, vault: vault)
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        let rotated = try await pool.write { db -> Bool in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM apps WHERE id = ?", arguments: [appId]) != nil else { return false }
            try Self.endGrace(db, table: "identity_secrets", appId: appId, end: end, now: now)
            try db.execute(sql: "INSERT INTO identity_secrets (app_id, id, secret_sealed, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [appId, identity.id, identity.sealed, now.stored])
            return true
        }
        return rotated ? identity.secret : nil
    }

    public func identitySecrets(appId: String, now: Date) async throws -> [IdentitySecret] {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, secret_sealed FROM identity_secrets WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?)
                ORDER BY created_at DESC, expires_at IS NULL DESC
                """, arguments: [appId, now.stored]).map { (id: $0["id"] as String, sealed: $0["secret_sealed"] as Data) }
        }
        return try rows.map { try SealedIdentitySecret.open($0.sealed, appId: appId, id: $0.id, vault: vault) }
    }

    public func setIdentityVerification(appId: String, _ verification: IdentityVerification) async throws -> AppRecord? {
        try await pool.write { db in
            try db.execute(sql: "UPDATE apps SET identity_verification = ? WHERE id = ?", arguments: [verification.rawValue, appId])
            return try db.rows(AppStatements.app(id: appId)).first?.app()
        }
    }

    public func openDashboardSession(_ session: DashboardSessionRecord, now: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE app_id = ? AND expires_at <= ?", arguments: [session.appId, now.stored])
            try db.execute(sql: """
                INSERT INTO dashboard_sessions (id_digest, app_id, key_digest, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [session.idDigest, session.appId, session.keyDigest, session.createdAt.stored, session.expiresAt.stored])
        }
    }

    public func isDashboardSessionOpen(idDigest: String, now: Date) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM dashboard_sessions WHERE id_digest = ? AND expires_at > ?",
                              arguments: [idDigest, now.stored]) ?? false
        }
    }

    public func closeDashboardSession(idDigest: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM dashboard_sessions WHERE id_digest = ?", arguments: [idDigest])
        }
    }

    static func insertKeys(_ db: Database, appId: String, publishable: APIKey, secret: APIKey, now: Date) throws {
        for key in [(publishable, APIKey.Kind.publishable), (secret, .secret)] {
            try db.execute(sql: "INSERT INTO app_keys (digest, app_id, kind, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [key.0.digest, appId, key.1.rawValue, now.stored])
        }
    }

    /// Starts the grace period of the app's live rows in `table` (keys or identity secrets): each ends at `end`, or
    /// earlier if an earlier rotation set it so; rows already over are deleted.
    static func endGrace(_ db: Database, table: String, appId: String, end: Date, now: Date) throws {
        try db.execute(sql: "DELETE FROM \(table) WHERE app_id = ? AND expires_at <= ?", arguments: [appId, now.stored])
        try db.execute(sql: "UPDATE \(table) SET expires_at = ? WHERE app_id = ? AND (expires_at IS NULL OR expires_at > ?)",
                       arguments: [end.stored, appId, end.stored])
    }

    public func setGateway(appId: String, settings: GatewaySettings) async throws {
        let sealed = try vault.seal(Data(settings.settings.jsonText.utf8), context: "gateway:\(appId):\(settings.platform.rawValue)")
        let summary = JSONValue.object(settings.summary).jsonText
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO gateways (app_id, platform, settings_sealed, summary, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (app_id, platform) DO UPDATE SET settings_sealed = excluded.settings_sealed,
                    summary = excluded.summary, updated_at = excluded.updated_at
                """, arguments: [appId, settings.platform.rawValue, sealed, summary, settings.updatedAt.stored])
            // New credentials resume sends a credential error paused.
            try db.execute(sql: "DELETE FROM gateway_pauses WHERE app_id = ? AND platform = ?", arguments: [appId, settings.platform.rawValue])
        }
    }

    public func gateway(appId: String, platform: Platform) async throws -> GatewaySettings? {
        let stored = try await pool.read { db -> (sealed: Data, summary: String, updatedAt: Double)? in
            try Row.fetchOne(db, sql: "SELECT * FROM gateways WHERE app_id = ? AND platform = ?", arguments: [appId, platform.rawValue])
                .map { ($0["settings_sealed"], $0["summary"], $0["updated_at"]) }
        }
        guard let stored else { return nil }
        let opened = try vault.open(stored.sealed, context: "gateway:\(appId):\(platform.rawValue)")
        guard let settings = JSONValue(jsonText: String(decoding: opened, as: UTF8.self)),
              case .object(let summary)? = JSONValue(jsonText: stored.summary)
        else { throw PerchError(.internalError, "stored gateway settings are unreadable") }
        return GatewaySettings(platform: platform, settings: settings, summary: summary, updatedAt: Date(stored: stored.updatedAt))
    }

    public func vapidPrivateKey(appId: String) async throws -> Data {
        let sealed = try await pool.read { db in
            try Data.fetchOne(db, sql: "SELECT vapid_private_key_sealed FROM apps WHERE id = ?", arguments: [appId])
        }
        guard let sealed else { throw PerchError.notFound("app") }
        return try vault.open(sealed, context: "vapid:" + appId)
    }

    public func setAllowedEndpointHosts(appId: String, hosts: [String]) async throws {
        let json = JSONValue.array(hosts.map { .string($0.lowercased()) }).jsonText
        try await pool.write { db in
            try db.execute(sql: "UPDATE apps SET allowed_endpoint_hosts = ? WHERE id = ?", arguments: [json, appId])
        }
    }
}
