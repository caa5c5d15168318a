import Foundation
import PerchCore
import PerchStore
import PostgresNIO

extension PostgresStore: CoordinationStore {
    /// Leases and send windows (schema version 3). Both are small, hot tables of their own;
    /// on Citus `leases` is a reference table and `send_windows` distributes by `app_id`.
    static let coordinationMigration = Migration(version: 3, name: "coordination", statements: [
        """
        CREATE TABLE leases (
            name text COLLATE "C" PRIMARY KEY,
            holder text NOT NULL,
            expires_at double precision NOT NULL
        )
        """,
        """
        CREATE TABLE send_windows (
            app_id text COLLATE "C" NOT NULL,
            platform text COLLATE "C" NOT NULL,
            window_start bigint NOT NULL,
            requested bigint NOT NULL,
            used bigint NOT NULL,
            PRIMARY KEY (app_id, platform, window_start)
        )
        """,
    ])

    public func acquireLease(_ name: String, holder: String, for duration: Duration, now: Date) async throws -> Bool {
        let expiresAt = now.addingTimeInterval(duration.timeInterval).timeIntervalSince1970
        let at = now.timeIntervalSince1970
        return try await !rows("""
            INSERT INTO leases (name, holder, expires_at) VALUES (\(name), \(holder), \(expiresAt))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.expires_at <= \(at) OR leases.holder = excluded.holder
            RETURNING 1
            """).isEmpty
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        _ = try await rows("DELETE FROM leases WHERE name = \(name) AND holder = \(holder)")
    }

    public func reserveSends(appId: String, platform: Platform, wanted: Int, perSecond: Int, now: Date) async throws -> Int {
        guard wanted > 0 else { return 0 }
        let window = SendPermits.window(at: now)
        // One statement: the row lock the upsert takes orders concurrent reservations of one window.
        let row = try await rows("""
            INSERT INTO send_windows AS w (app_id, platform, window_start, requested, used)
            VALUES (\(appId), \(platform.rawValue), \(window), \(wanted), LEAST(\(wanted), \(perSecond)))
            ON CONFLICT (app_id, platform, window_start)
            DO UPDATE SET requested = w.requested + excluded.requested, used = LEAST(w.requested + excluded.requested, \(perSecond))
            RETURNING requested, used
            """)[0]
        let (requested, used) = try row.decode((Int, Int).self)
        if requested == wanted {
            // The window's first reservation: the earlier windows of this app and platform are over.
            _ = try await rows("""
                DELETE FROM send_windows WHERE app_id = \(appId) AND platform = \(platform.rawValue) AND window_start < \(window)
                """)
        }
        return Self.granted(requested: requested, used: used, wanted: wanted, perSecond: perSecond)
    }
}
