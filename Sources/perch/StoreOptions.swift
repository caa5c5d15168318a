import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchStore

/// The options every command that opens the store shares; each also reads a `PERCH_*` variable.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "sqlite:PATH (default sqlite:perch.sqlite) or postgres://… [PERCH_DATABASE_URL]")
    var database: String?

    @Option(name: .long, help: "32-byte master key, hex or base64; default: a key file beside the database [PERCH_MASTER_KEY]")
    var masterKey: String?

    var databaseURL: String {
        database ?? Environment.value("PERCH_DATABASE_URL") ?? "sqlite:perch.sqlite"
    }

    func openStore(logger: Logger) throws -> SQLiteStore {
        guard let path = SQLiteStore.path(fromURL: databaseURL) else {
            throw ValidationError("--database: only sqlite: URLs are supported by this build (PostgreSQL arrives with the scale-out backend)")
        }
        let key = try MasterKeyFile.load(explicit: masterKey ?? Environment.value("PERCH_MASTER_KEY"), databasePath: path)
        return try SQLiteStore(path: path, vault: TokenVault(masterKey: key), logger: logger)
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
