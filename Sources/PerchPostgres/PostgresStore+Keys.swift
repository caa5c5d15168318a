import Foundation
import Logging
import PerchCore
import PerchStore
import PostgresNIO

/// API keys with their rotations, identity secrets and dashboard sessions — the SQLite store's rules, statement for statement.
extension PostgresStore {
    /// Keys move to their own table so a rotated key can live through its grace period beside the new one (the apps
    /// columns keep naming the current keys). Apps made before identity verification get their first identity secret
    /// by rotating one in; until then the publishable key cannot bind users.
    static let keysMigration = Migration(version: 4, name: "keys-and-identity", statements: [
        "ALTER TABLE apps ADD COLUMN identity_verification text NOT NULL DEFAULT 'required'",
        """
        CREATE TABLE app_keys (
            digest text COLLATE "C" PRIMARY KEY,
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            kind text COLLATE "C" NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision
        )
        """,
        "CREATE INDEX app_keys_by_app ON app_keys (app_id, kind)",
        "INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT publishable_key_digest, id, 'publishable', created_at FROM apps",
        "INSERT INTO app_keys (digest, app_id, kind, created_at) SELECT secret_key_digest, id, 'secret', created_at FROM apps",
        """
        CREATE TABLE identity_secrets (
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            id text COLLATE "C" NOT NULL,
            secret_sealed bytea NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision,
            PRIMARY KEY (app_id, id)
        )
        """,
        """
        CREATE TABLE dashboard_sessions (
            id_digest text COLLATE "C" PRIMARY KEY,
            app_id text COLLATE "C" NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
            key_digest text COLLATE "C" NOT NULL,
            created_at double precision NOT NULL,
            expires_at double precision NOT NULL
        )
        """,
        "CREATE INDEX dashboard_sessions_by_app ON dashboard_sessions (app_id)",
    ])

    public func keyGrant(forDigest digest: String, now: Date) async throws -> KeyGrant? {
        let at = now.timeIntervalSince1970
        guard let row = try await rows("""
            SELECT app_id, kind, expires_at FROM app_keys WHERE digest = \(digest) AND (expires_at IS NULL OR expires_at > \(at))
            """).first,
            let kind = APIKey.Kind(rawValue: try row["kind"].decode(String.self))
        else { return nil }
        return KeyGrant(principal: .app(id: try row["app_id"].decode(String.self), kind: kind),
                        expiresAt: try row["expires_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)))
    }

    public func rotateKeys(appId: String, graceSeconds: Int, now: Date) async throws -> RotatedKeys? {
        let (publishable, secret) = (APIKey.generate(.publishable), APIKey.generate(.secret))
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        let logger = self.logger
        let rotated = try await transaction { db -> Bool in
            guard try await !db.rows("""
                UPDATE apps SET publishable_key_digest = \(publishable.digest), secret_key_digest = \(secret.digest)
                WHERE id = \(appId) RETURNING id
                """, logger: logger).isEmpty
            else { return false }
            try await Self.endGrace(db, table: "app_keys", appId: appId, end: end, now: now, logger: logger)
            try await Self.insertKeys(db, appId: appId, publishable: publishable, secret: secret, now: now, logger: logger)
            // A rotation answers a leak or a departure: every dashboard session opened with the old secret key ends now.
            try await db.run("DELETE FROM dashboard_sessions WHERE app_id = \(appId)", logger: logger)
            return true
        }
        return rotated ? RotatedKeys(publishableKey: publishable, secretKey: secret, previousExpireAt: end) : nil
    }

    public func rotateIdentitySecret(appId: String, graceSeconds: Int, now: Date) async throws -> IdentitySecret? {
        let identity = try SealedIdentitySecret.generate(appId: appId, vault: vault)
        let end = now.addingTimeInterval(TimeInterval(graceSeconds))
        let logger = self.logger
        let rotated = try await transaction { db -> Bool in
            // The app's row, locked, so two rotations at once each leave one live secret behind them.
            guard try await !db.rows("SELECT id FROM apps WHERE id = \(appId) FOR UPDATE", logger: logger).isEmpty else { return false }
            try await Self.endGrace(db, table: "identity_secrets", appId: appId, end: end, now: now, logger: logger)
            try await db.run("""
                INSERT INTO identity_secrets (app_id, id, secret_sealed, created_at)
                VALUES (\(appId), \(identity.id), \(identity.sealed), \(now.timeIntervalSince1970))
                """, logger: logger)
            return true
        }
        return rotated ? identity.secret : nil
    }

    public func identitySecrets(appId: String, now: Date) async throws -> [IdentitySecret] {
        try await rows("""
            SELECT id, secret_sealed FROM identity_secrets
            WHERE app_id = \(appId) AND (expires_at IS NULL OR expires_at > \(now.timeIntervalSince1970))
            ORDER BY created_at DESC, (expires_at IS NULL) DESC
            """).map { row in
            try SealedIdentitySecret.open(try row["secret_sealed"].decode(Data.self), appId: appId, id: try row["id"].decode(String.self), vault: vault)
        }
    }

    public func setIdentityVerification(appId: String, _ verification: IdentityVerification) async throws -> AppRecord? {
        try await rows("""
            UPDATE apps SET identity_verification = \(verification.rawValue) WHERE id = \(appId) RETURNING \(unescaped: Self.appColumns)
            """).first.map(Self.appRecord)
    }

    public func openDashboardSession(_ session: DashboardSessionRecord, now: Date) async throws {
        let logger = self.logger
        try await transaction { db in
            try await db.run("""
                DELETE FROM dashboard_sessions WHERE app_id = \(session.appId) AND expires_at <= \(now.timeIntervalSince1970)
                """, logger: logger)
            try await db.run("""
                INSERT INTO dashboard_sessions (id_digest, app_id, key_digest, created_at, expires_at)
                VALUES (\(session.idDigest), \(session.appId), \(session.keyDigest), \(session.createdAt.timeIntervalSince1970),
                        \(session.expiresAt.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    public func isDashboardSessionOpen(idDigest: String, now: Date) async throws -> Bool {
        try await !rows("""
            SELECT 1 FROM dashboard_sessions WHERE id_digest = \(idDigest) AND expires_at > \(now.timeIntervalSince1970)
            """).isEmpty
    }

    public func closeDashboardSession(idDigest: String) async throws {
        try await client.query("DELETE FROM dashboard_sessions WHERE id_digest = \(idDigest)", logger: logger)
    }

    static func insertKeys(_ db: PostgresConnection, appId: String, publishable: APIKey, secret: APIKey, now: Date, logger: Logger) async throws {
        for (key, kind) in [(publishable, APIKey.Kind.publishable), (secret, .secret)] {
            try await db.run("""
                INSERT INTO app_keys (digest, app_id, kind, created_at) VALUES (\(key.digest), \(appId), \(kind.rawValue), \(now.timeIntervalSince1970))
                """, logger: logger)
        }
    }

    /// Starts the grace period of the app's live rows in `table` (keys or identity secrets): each ends at `end`, or
    /// earlier if an earlier rotation set it so; rows already over are deleted.
    static func endGrace(_ db: PostgresConnection, table: String, appId: String, end: Date, now: Date, logger: Logger) async throws {
        let (endAt, at) = (end.timeIntervalSince1970, now.timeIntervalSince1970)
        try await db.run("DELETE FROM \(unescaped: table) WHERE app_id = \(appId) AND expires_at <= \(at)", logger: logger)
        try await db.run("""
            UPDATE \(unescaped: table) SET expires_at = \(endAt) WHERE app_id = \(appId) AND (expires_at IS NULL OR expires_at > \(endAt))
            """, logger: logger)
    }
}
