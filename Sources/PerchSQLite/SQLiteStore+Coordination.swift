import Foundation
import GRDB
import PerchCore
import PerchStore

extension SQLiteStore: CoordinationStore {
    public func acquireLease(_ name: String, holder: String, for duration: Duration, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
                """, arguments: [name, holder, now.addingTimeInterval(duration.timeInterval).stored, now.stored])
            return db.changesCount > 0
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM leases WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }

    public func reserveSends(appId: String, platform: Platform, wanted: Int, perSecond: Int, now: Date) async throws -> Int {
        guard wanted > 0 else { return 0 }
        let window = SendPermits.window(at: now)
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                INSERT INTO send_windows (app_id, platform, window_start, requested, used) VALUES (?, ?, ?, ?, min(?, ?))
                ON CONFLICT (app_id, platform, window_start)
                DO UPDATE SET requested = requested + excluded.requested, used = min(requested + excluded.requested, ?)
                RETURNING requested, used
                """, arguments: [appId, platform.rawValue, window, wanted, wanted, perSecond, perSecond])
            else { return 0 }
            let requested: Int = row["requested"]
            if requested == wanted {
                // The window's first reservation: the earlier windows of this app and platform are over.
                try db.execute(sql: "DELETE FROM send_windows WHERE app_id = ? AND platform = ? AND window_start < ?",
                               arguments: [appId, platform.rawValue, window])
            }
            return Self.granted(requested: requested, used: row["used"], wanted: wanted, perSecond: perSecond)
        }
    }
}
