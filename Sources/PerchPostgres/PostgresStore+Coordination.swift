import Foundation

extension PostgresStore {
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
}
