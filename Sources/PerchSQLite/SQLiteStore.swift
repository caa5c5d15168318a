import Crypto
import Foundation
import GRDB
import Logging
import PerchCore
import PerchSQL
import PerchStore

/// The embedded store: one SQLite file in WAL mode, through GRDB.
///
/// Writes are serialized by SQLite itself; reads run concurrently on the pool.
/// `secure_delete` is on, so erased rows are overwritten rather than left in free pages.
public final class SQLiteStore: Sendable {
    let pool: DatabasePool
    /// Group commit for the hot write paths (registration, events).
    let batcher: WriteBatcher
    /// Folds the WAL back into the database file after the writer's commits.
    let checkpointer: WALCheckpointer
    public let vault: TokenVault
    let logger: Logger
    public let path: String

    /// The writer's page cache, in KiB.
    static let writerCacheKiB = 32_768

    /// Opens (creating if needed) the database at `path` and migrates it: every migration, or (tests of an upgrade) those
    /// up to and including `migratingUpTo`.
    public init(path: String, vault: TokenVault, logger: Logger = Logger(label: "perch.store"), migratingUpTo: String? = nil) throws {
        let checkpointer = WALCheckpointer(path: path)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // The one writer keeps its sub-journals in memory and a bigger page cache (the readers keep SQLite's
            // defaults). On disk, every page a write batch's savepoints and statements first touch was copied to a temp
            // file (pwrite64 was the largest part of event ingestion, profiled), and a batch of events dirties pages
            // all over the events' indexes, more than the default 2 MiB cache holds at 100,000 tokens. The price: one
            // statement's journal (the pages it changes) is held in memory while it runs. The cache is 32 MiB: at 64 the
            // server's resident memory after 120,000 registrations was 175 MiB, at 32 it is 137 MiB, with registration
            // as fast and event ingestion at 100,000 tokens 42,949 events/s (bench/registration/README.md).
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
                // Checkpoints run after the writer's commits, on a connection of their own (``WALCheckpointer``).
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerThreshold)")
                db.add(transactionObserver: checkpointer, extent: .databaseLifetime)
            }
        }
        configuration.busyMode = .timeout(10)
        self.pool = try DatabasePool(path: path, configuration: configuration)
        self.checkpointer = checkpointer
        self.batcher = WriteBatcher(pool: pool)
        self.vault = vault
        self.logger = logger
        self.path = path
        if let migratingUpTo { try SQLiteStore.migrator.migrate(pool, upTo: migratingUpTo) } else { try SQLiteStore.migrator.migrate(pool) }
    }

    /// Parses `sqlite:path` (or a bare path).
    public static func path(fromURL url: String) -> String? {
        if url.hasPrefix("sqlite://") { return String(url.dropFirst("sqlite://".count)) }
        if url.hasPrefix("sqlite:") { return String(url.dropFirst("sqlite:".count)) }
        if url.contains("://") { return nil }
        return url
    }

    /// Folds the WAL back into the main file and empties it, so nothing deleted lingers there.
    public func checkpoint() throws {
        try checkpointer.truncate()
    }

    /// A new id, time-ordered (one shape for every backend: ``StoreIdentifier``).
    static func newId(_ prefix: String) -> String { StoreIdentifier.new(prefix) }
}

extension Date {
    /// Seconds since 1970, as stored.
    var stored: Double { timeIntervalSince1970 }
    init(stored: Double) { self.init(timeIntervalSince1970: stored) }
}
