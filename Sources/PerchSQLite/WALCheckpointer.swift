import Foundation
import GRDB
import Synchronization

/// Copies the writer's committed pages from the WAL back into the database file on a connection of its own, so a
/// commit does not wait for the database file's `fsync`.
///
/// Left to itself, SQLite checkpoints inside the commit that takes the WAL past `wal_autocheckpoint` pages (1,000 by
/// default): that commit writes the WAL's pages into the database file and syncs it before it returns. A batch of
/// 1,000 events dirties ~2,700 pages (per event, a leaf of each of the events' indexes by user, installation and
/// delivery), so every batch paid a checkpoint, and its sync was a third of event ingestion (profiled:
/// bench/analytics/README.md). Here every commit of the writer asks for a passive checkpoint, which never blocks the
/// writer or a reader; one runs at a time, and the commits made while it runs ask for the next. The writer keeps a
/// threshold of its own, ``writerThreshold`` pages, for when this falls behind (a long read pins the WAL).
final class WALCheckpointer: TransactionObserver, Sendable {
    /// The writer's own `wal_autocheckpoint`, in pages (64 MiB of WAL at 4 KiB pages).
    static let writerThreshold = 16_384

    private struct State {
        var connection: DatabaseQueue?
        /// A checkpoint is asked for and has not started yet.
        var asked = false
    }

    private let path: String
    private let state = Mutex(State())

    /// Opens its connection on first use: the writer that reports its commits exists before the file is migrated.
    init(path: String) {
        self.path = path
    }

    /// Asks for a passive checkpoint and returns at once.
    func committed() {
        let connection: DatabaseQueue? = state.withLock { state in
            if state.asked { return nil }
            guard let connection = state.connection ?? (try? Self.open(path)) else { return nil }
            state.connection = connection
            state.asked = true
            return connection
        }
        connection?.asyncWriteWithoutTransaction { [self] db in
            state.withLock { $0.asked = false }
            // Busy (another checkpoint runs) or failed: the next commit asks again, and the writer's threshold stays.
            _ = try? db.checkpoint(.passive)
        }
    }

    /// Folds the whole WAL back and empties it, after the writer's transaction and the readers' (up to the busy timeout).
    /// On this connection, so it never meets a passive checkpoint of this one's.
    func truncate() throws {
        let connection = try state.withLock { state in
            let connection = try state.connection ?? Self.open(path)
            state.connection = connection
            return connection
        }
        try connection.writeWithoutTransaction { db in
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.label = "perch.checkpoint"
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    // MARK: TransactionObserver — on the writer, for its commits only.

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { committed() }
    func databaseDidRollback(_ db: Database) {}
}
