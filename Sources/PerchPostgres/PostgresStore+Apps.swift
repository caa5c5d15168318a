import Crypto
import Foundation
import PerchCore
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

    public func app(id: String) async throws -> AppRecord? {
        try await rows("SELECT \(unescaped: Self.appColumns) FROM apps WHERE id = \(id)").first.map(Self.appRecord)
    }

    public func apps() async throws -> [AppRecord] {
        try await rows("SELECT \(unescaped: Self.appColumns) FROM apps ORDER BY created_at").map(Self.appRecord)
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

    static let appColumns = "id, name, bundle_id, web_origin, vapid_public_key, allowed_endpoint_hosts::text, identity_verification, created_at"

    static func appRecord(_ row: PostgresRandomAccessRow) throws -> AppRecord {
        var hosts: [String] = []
        if case .array(let values)? = JSONValue(jsonText: try row["allowed_endpoint_hosts"].decode(String.self)) {
            hosts = values.compactMap(\.stringValue)
        }
        return AppRecord(
            id: try row["id"].decode(String.self), name: try row["name"].decode(String.self),
            bundleId: try row["bundle_id"].decode(String?.self), webOrigin: try row["web_origin"].decode(String?.self),
            vapidPublicKey: try row["vapid_public_key"].decode(String.self), allowedEndpointHosts: hosts,
            identityVerification: IdentityVerification(rawValue: try row["identity_verification"].decode(String.self)) ?? .required,
            createdAt: Date(timeIntervalSince1970: try row["created_at"].decode(Double.self))
        )
    }
}
