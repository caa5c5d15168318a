import Foundation
import PerchCore
import PerchStore

/// Leases and send windows written once for every ``SQLStore``: each decision is one upsert, whose row lock (or
/// SQLite's one writer) orders concurrent callers.
extension CoordinationStore where Self: SQLStore {
    public func acquireLease(_ name: String, holder: String, for duration: Duration, now: Date) async throws -> Bool {
        try await !write(guard: SQLStatement("""
            INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
            RETURNING 1
            """, [.text(name), .text(holder), .time(now.addingTimeInterval(duration.timeInterval)), .time(now)]), then: []) { _ in true }.isEmpty
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await execute([SQLStatement("DELETE FROM leases WHERE name = ? AND holder = ?", [.text(name), .text(holder)])])
    }

    public func reserveSends(appId: String, platform: Platform, wanted: Int, perSecond: Int, now: Date) async throws -> Int {
        guard wanted > 0 else { return 0 }
        let window = SendPermits.window(at: now)
        guard let (requested, used) = try await write(guard: SQLStatement("""
            INSERT INTO send_windows AS w (app_id, platform, window_start, requested, used) VALUES (?, ?, ?, ?, \(dialect.least("?", "?")))
            ON CONFLICT (app_id, platform, window_start)
            DO UPDATE SET requested = w.requested + excluded.requested, used = \(dialect.least("w.requested + excluded.requested", "?"))
            RETURNING requested, used
            """, [.text(appId), .text(platform.rawValue), .integer(Int(window)), .integer(wanted), .integer(wanted), .integer(perSecond),
                  .integer(perSecond)]), then: []) { row in (try row.integer(required: 0), try row.integer(required: 1)) }.first
        else { return 0 }
        if requested == wanted {
            // The window's first reservation: the earlier windows of this app and platform are over.
            try await execute([SQLStatement("DELETE FROM send_windows WHERE app_id = ? AND platform = ? AND window_start < ?",
                                            [.text(appId), .text(platform.rawValue), .integer(Int(window))])])
        }
        return Self.granted(requested: requested, used: used, wanted: wanted, perSecond: perSecond)
    }
}
