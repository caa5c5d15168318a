import Crypto
import Foundation
import GRDB
import PerchCore

extension SQLiteStore: AppStore {
    public func createApp(name: String, bundleId: String?, webOrigin: String?, now: Date) async throws -> CreatedApp {
        let id = Self.newId("app")
        let (created, sealedVapid) = try CreatedApp.generate(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin, vault: vault, now: now)
        let (publishable, secret, vapidPublic) = (created.publishableKey, created.secretKey, created.app.vapidPublicKey)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO apps (id, name, bundle_id, web_origin, publishable_key_digest, secret_key_digest,
                                  vapid_public_key, vapid_private_key_sealed, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, name, bundleId, webOrigin, publishable.digest, secret.digest, vapidPublic, sealedVapid, now.stored])
        }
        return created
    }

    public func app(id: String) async throws -> AppRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM apps WHERE id = ?", arguments: [id]).map(Self.appRecord)
        }
    }

    public func apps() async throws -> [AppRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM apps ORDER BY created_at").map(Self.appRecord)
        }
    }

    public func principal(forKeyDigest digest: String) async throws -> Principal? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, publishable_key_digest, secret_key_digest FROM apps
                WHERE publishable_key_digest = ? OR secret_key_digest = ?
                """, arguments: [digest, digest])
            else { return nil }
            let id: String = row["id"]
            let secretDigest: String = row["secret_key_digest"]
            return .app(id: id, kind: APIKey.constantTimeEquals(secretDigest, digest) ? .secret : .publishable)
        }
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

    static func appRecord(_ row: Row) -> AppRecord {
        var hosts: [String] = []
        if case .array(let values)? = JSONValue(jsonText: row["allowed_endpoint_hosts"]) {
            hosts = values.compactMap(\.stringValue)
        }
        return AppRecord(
            id: row["id"], name: row["name"], bundleId: row["bundle_id"], webOrigin: row["web_origin"],
            vapidPublicKey: row["vapid_public_key"], allowedEndpointHosts: hosts, createdAt: Date(stored: row["created_at"])
        )
    }
}
