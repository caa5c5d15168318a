import Crypto
import Foundation
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO

extension PostgresStore: AppStore {
    public func createApp(name: String, bundleId: String?, webOrigin: String?, now: Date) async throws -> CreatedApp {
        let id = Self.newId("app")
        let (created, sealedVapid, identity) = try CreatedApp.generate(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin,
                                                                       vault: vault, now: now)
        let (publishable, secret, vapidPublic) = (created.publishableKey, created.secretKey, created.app.vapidPublicKey)
        let logger = self.logger
        try await transaction { db in
            try await db.run("""
                INSERT INTO apps (id, name, bundle_id, web_origin, publishable_key_digest, secret_key_digest,
                                  vapid_public_key, vapid_private_key_sealed, created_at)
                VALUES (\(id), \(name), \(bundleId), \(webOrigin), \(publishable.digest), \(secret.digest), \(vapidPublic),
                        \(sealedVapid), \(now.timeIntervalSince1970))
                """, logger: logger)
            try await Self.insertKeys(db, appId: id, publishable: publishable, secret: secret, now: now, logger: logger)
            try await db.run("""
                INSERT INTO identity_secrets (app_id, id, secret_sealed, created_at)
                VALUES (\(id), \(identity.id), \(identity.sealed), \(now.timeIntervalSince1970))
                """, logger: logger)
        }
        return created
    }

    public func setGateway(appId: String, settings: GatewaySettings) async throws {
        let sealed = try vault.seal(Data(settings.settings.jsonText.utf8), context: "gateway:\(appId):\(settings.platform.rawValue)")
        let summary = JSONValue.object(settings.summary).jsonText
        let logger = self.logger
        try await transaction { db in
            try await db.run("""
                INSERT INTO gateways (app_id, platform, settings_sealed, summary, updated_at)
                VALUES (\(appId), \(settings.platform.rawValue), \(sealed), \(summary)::jsonb, \(settings.updatedAt.timeIntervalSince1970))
                ON CONFLICT (app_id, platform) DO UPDATE SET settings_sealed = excluded.settings_sealed,
                    summary = excluded.summary, updated_at = excluded.updated_at
                """, logger: logger)
            // New credentials end a pause their predecessors caused.
            try await db.run("DELETE FROM gateway_pauses WHERE app_id = \(appId) AND platform = \(settings.platform.rawValue)", logger: logger)
        }
    }

    public func gateway(appId: String, platform: Platform) async throws -> GatewaySettings? {
        guard let row = try await rows("""
            SELECT settings_sealed, summary::text, updated_at FROM gateways WHERE app_id = \(appId) AND platform = \(platform.rawValue)
            """).first
        else { return nil }
        let (sealed, summaryText, updatedAt) = try row.decode((Data, String, Double).self)
        let opened = try vault.open(sealed, context: "gateway:\(appId):\(platform.rawValue)")
        guard let settings = JSONValue(jsonText: String(decoding: opened, as: UTF8.self)),
              case .object(let summary)? = JSONValue(jsonText: summaryText)
        else { throw PerchError(.internalError, "stored gateway settings are unreadable") }
        return GatewaySettings(platform: platform, settings: settings, summary: summary, updatedAt: Date(timeIntervalSince1970: updatedAt))
    }

    public func vapidPrivateKey(appId: String) async throws -> Data {
        guard let row = try await rows("SELECT vapid_private_key_sealed FROM apps WHERE id = \(appId)").first else {
            throw PerchError.notFound("app")
        }
        return try vault.open(try row[0].decode(Data.self), context: "vapid:" + appId)
    }

    public func setAllowedEndpointHosts(appId: String, hosts: [String]) async throws {
        let json = JSONValue.array(hosts.map { .string($0.lowercased()) }).jsonText
        try await client.query("UPDATE apps SET allowed_endpoint_hosts = \(json)::jsonb WHERE id = \(appId)", logger: logger)
    }

    static var appColumns: String { AppStatements.columns }

    static func appRecord(_ row: PostgresRandomAccessRow) throws -> AppRecord { try row.app() }
}
