import Foundation
import Logging
import PerchCore
import PerchSQL
import PerchStore
import PostgresNIO
import ServiceLifecycle

/// The scale-out store: one PostgreSQL database shared by any number of Perch processes,
/// through postgres-nio's connection pool.
///
/// It is a `Service`: its ``run()`` runs the pool and must be running (in a `ServiceGroup`,
/// or through ``withRunning(_:)``) while the store is used. Every table is keyed by `app_id`
/// first, so the schema distributes by app (Citus). Writes that read before they write
/// (registration, consent, identify) serialize per installation and per token with
/// transaction-scoped advisory locks, and a transaction that loses a deadlock or a
/// serialization race is retried whole.
public final class PostgresStore: Sendable, Service {
    let client: PostgresClient
    public let vault: TokenVault
    package let logger: Logger
    /// Concurrent registrations, written in groups (``register(appId:_:now:)``).
    let registrations = GroupCommit<PendingRegistration, RegistrationResult>(lanes: PostgresStore.registrationLanes,
                                                                            limit: PostgresStore.registrationGroupLimit)
    /// Analyzes tables that outgrew their statistics, looking every second (``StatisticsPolicy``).
    var statistics: StatisticsKeeper<ContinuousClock> {
        StatisticsKeeper(store: self, policy: StatisticsPolicy(), interval: .seconds(1), clock: ContinuousClock())
    }
    /// The URL the store was opened with, the password left out: for logs.
    public let displayURL: String

    /// A store on the database that `configuration` names. Nothing connects until ``run()``.
    public init(configuration: Configuration, vault: TokenVault, logger: Logger = Logger(label: "perch.store")) {
        self.client = PostgresClient(configuration: configuration.client, backgroundLogger: logger)
        self.vault = vault
        self.logger = logger
        self.displayURL = configuration.displayURL
    }

    /// Runs the connection pool, and the planner statistics' upkeep (``StatisticsKeeper``) beside it, until the task is
    /// cancelled or a graceful shutdown is triggered.
    public func run() async throws {
        try await withPool { await self.statistics.run() }
    }

    /// Runs the pool for the duration of `body`, then closes it.
    public func withRunning<R: Sendable>(_ body: (PostgresStore) async throws -> R) async throws -> R {
        try await withPool {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.statistics.run() }
                defer { group.cancelAll() }
                return try await body(self)
            }
        }
    }

    /// Runs the pool while `work` runs, and closes it once `work` has ended. The pool runs on a detached task, neither
    /// a child of this one nor told of its graceful shutdown: cancelling or shutting down the caller ends `work` (the
    /// keeper stops after its current look), and only then is the pool closed — closed at the same moment, it would
    /// close connections under statements still running.
    private func withPool<R: Sendable>(_ work: () async throws -> R) async throws -> R {
        let client = self.client
        let pool = Task.detached { await client.run() }
        // Let the pool's run() begin before the first lease (postgres-nio warns otherwise).
        await Task.yield()
        let result: Result<R, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        pool.cancel()
        await pool.value
        return try result.get()
    }

    /// Opens a short-lived pool on `configuration`, applies every pending migration and closes it:
    /// what `perch serve` does before it listens.
    public static func migrate(configuration: Configuration, vault: TokenVault, logger: Logger) async throws {
        let store = PostgresStore(configuration: configuration, vault: vault, logger: logger)
        try await store.withRunning { try await $0.migrate() }
    }

    // MARK: - Transactions

    /// Runs `body` in one transaction on one pooled connection. A deadlock or serialization
    /// failure (SQLSTATE 40P01 / 40001) rolls back and runs `body` again, up to five times, and so does a
    /// transaction whose `BEGIN` failed (``TransactionNotBegun``: a connection the server had ended, leased
    /// before the pool noticed), after a moment for the pool to let the connection go;
    /// any other error rolls back and is rethrown as it is.
    package func transaction<R: Sendable>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in
                    do {
                        try await connection.run("BEGIN", logger: logger)
                    } catch {
                        throw TransactionNotBegun(underlying: error)
                    }
                    do {
                        let result = try await body(connection)
                        try await connection.run("COMMIT", logger: logger)
                        return result
                    } catch {
                        try? await connection.run("ROLLBACK", logger: logger)
                        throw error
                    }
                }
            } catch let error as PSQLError where attempt < 5 && Self.isRetryable(error) {
                logger.debug("retrying a transaction", metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")", "attempt": "\(attempt)"])
                continue
            } catch let notBegun as TransactionNotBegun {
                guard attempt < 5 else { throw notBegun.underlying }
                logger.debug("retrying a transaction on another connection", metadata: ["attempt": "\(attempt)"])
                try await Task.sleep(for: .milliseconds(10 * attempt))
                continue
            }
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40P01" || state == "40001"
    }

    /// The rows of one query, collected.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Takes transaction-scoped advisory locks on `keys`, in a fixed order so two writers
    /// never wait on each other crosswise.
    static func lock(_ connection: PostgresConnection, keys: [String], logger: Logger) async throws {
        let sorted = Set(keys).sorted()
        guard !sorted.isEmpty else { return }
        try await connection.run("SELECT \(unescaped: SQLDialect.advisoryLock("k")) FROM unnest(\(sorted)::text[]) AS k", logger: logger)
    }

    /// A new id, time-ordered (one shape for every backend: ``StoreIdentifier``).
    static func newId(_ prefix: String) -> String { StoreIdentifier.new(prefix) }
}

extension PostgresConnection {
    /// The rows of one query, collected.
    package func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await sent(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// Runs a statement and drains its answer.
    package func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await sent(query, logger: logger).collect()
    }

    /// `query` sent, unless the connection has closed: a statement written to a closed connection is never answered
    /// (``ClosedConnectionError``). A transaction's `ROLLBACK` after its connection failed is the common case.
    private func sent(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        guard !isClosed else { throw ClosedConnectionError() }
        return try await self.query(query, logger: logger)
    }
}
