import ArgumentParser
import Crypto
import Foundation
import Logging
import PerchCore
import PerchPostgres
import PerchSQLite
import PerchStore
import ServiceLifecycle

/// The options every command that opens the store shares; each also reads a `PERCH_*` variable.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH (default sqlite:perch.sqlite) or postgres://USER:PASSWORD@HOST:PORT/DB [PERCH_DATABASE_URL]")
    var database: String?

    @Option(name: .long, help: "32-byte master key, hex or base64; default: a key file beside the database [PERCH_MASTER_KEY]")
    var masterKey: String?

    var databaseURL: String {
        database ?? Environment.value("PERCH_DATABASE_URL") ?? "sqlite:perch.sqlite"
    }

    /// Opens the store the URL names, migrated. A PostgreSQL store comes with the service that
    /// runs its connection pool, to run beside the others (first in the group, so it stops last).
    func openStore(logger: Logger) async throws -> ServingStore {
        try await Self.open(url: databaseURL, masterKey: masterKey, logger: logger)
    }

    /// Opens the store, runs `body` with it and closes it.
    func withStore<R: Sendable>(logger: Logger, _ body: (any PerchStore) async throws -> R) async throws -> R {
        try await openStore(logger: logger).run(body)
    }

    static func open(url: String, masterKey: String?, logger: Logger) async throws -> ServingStore {
        let explicitKey = masterKey ?? Environment.value("PERCH_MASTER_KEY")
        if PostgresStore.Configuration.isPostgresURL(url) {
            // No file beside a shared database: every process must be given the same key.
            guard let explicitKey else {
                throw ValidationError("a PostgreSQL database needs PERCH_MASTER_KEY (or --master-key), the same in every process")
            }
            let masterKey = try TokenVault.masterKey(from: explicitKey)
            let vault = TokenVault(masterKey: masterKey)
            let configuration = try PostgresStore.Configuration(url: url)
            try await PostgresStore.migrate(configuration: configuration, vault: vault, logger: logger)
            let store = PostgresStore(configuration: configuration, vault: vault, logger: logger)
            return ServingStore(store: store, service: store, description: configuration.displayURL, masterKey: masterKey)
        }
        guard let path = SQLiteStore.path(fromURL: url) else {
            throw ValidationError("--database: expected sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let key = try MasterKeyFile.load(explicit: explicitKey, databasePath: path)
        return ServingStore(store: try SQLiteStore(path: path, vault: TokenVault(masterKey: key), logger: logger),
                            service: nil, description: "sqlite:" + path, masterKey: key)
    }
}

/// An opened store and, for PostgreSQL, the service that must run while it is used.
struct ServingStore: Sendable {
    let store: any PerchStore
    let service: (any Service)?
    /// The database, without secrets: for logs.
    let description: String
    /// The key the store seals with; the dashboard derives its session key from it, so every process agrees.
    let masterKey: SymmetricKey

    /// Runs `body` with the store, the pool running around it when there is one.
    func run<R: Sendable>(_ body: (any PerchStore) async throws -> R) async throws -> R {
        guard let service else { return try await body(store) }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            // Let the pool's run() begin before the first lease (postgres-nio warns otherwise).
            await Task.yield()
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Whether a switch variable is on (`1`, `true` or `yes`).
    static func isOn(_ name: String) -> Bool {
        ["1", "true", "yes"].contains(value(name)?.lowercased() ?? "")
    }
}
