import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchPostgres
import PerchTransfer
import PerchSQLite
import PerchStore
import Synchronization

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a whole registry from SQLite into an empty PostgreSQL database, verified by counts and checksums.",
        discussion: """
            Stop every perch process on the SQLite file first. Rows move as stored (tokens stay sealed), in batches, \
            in one transaction: if any table's count or checksum differs, nothing is committed. Afterwards run \
            perch with the same master key (PERCH_MASTER_KEY, or the key file beside the SQLite file).
            """
    )

    @Option(help: "The source: sqlite:PATH") var from: String
    @Option(help: "The target: postgres://USER:PASSWORD@HOST:PORT/DATABASE (empty, or new)") var to: String
    @Option(help: "Rows per batch") var batchSize = 1000
    @Flag(help: "No progress bar") var quiet = false

    func validate() throws {
        guard !PostgresStore.Configuration.isPostgresURL(from), SQLiteStore.path(fromURL: from) != nil else {
            throw ValidationError("--from must be sqlite:PATH")
        }
        guard PostgresStore.Configuration.isPostgresURL(to) else { throw ValidationError("--to must be postgres://…") }
        guard batchSize >= 1 && batchSize <= 5000 else { throw ValidationError("--batch-size must be between 1 and 5000") }
    }

    func run() async throws {
        var logger = Logger(label: "perch.migrate")
        logger.logLevel = .warning
        let path = SQLiteStore.path(fromURL: from)!
        let configuration = try PostgresStore.Configuration(url: to)
        // The move copies sealed rows as they are and never opens one: the store's vault is unused.
        var random = SystemRandomNumberGenerator()
        let throwaway = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        let vault = TokenVault(masterKey: try TokenVault.masterKey(from: throwaway))
        try await PostgresStore.migrate(configuration: configuration, vault: vault, logger: logger)
        let target = PostgresStore(configuration: configuration, vault: vault, logger: logger)
        let bar = ProgressLine(enabled: !quiet)
        let batchSize = self.batchSize
        let report = try await target.withRunning { target in
            try await RegistryTransfer(sourcePath: path, target: target, batchSize: batchSize).run { bar.show($0) }
        }
        bar.finish()
        for table in report.tables {
            let name = table.name.padding(toLength: max(18, table.name.count + 1), withPad: " ", startingAt: 0)
            print("\(name)\(String(table.targetRows).leftPadded(9)) rows  checksum \(table.targetChecksum)  \(table.verified ? "verified" : "MISMATCH")")
        }
        print("moved \(report.totalRows) rows into \(configuration.displayURL); run perch there with the same master key as \(path)")
    }
}

/// The progress bar on standard error: redrawn in place on a terminal, one line per table otherwise.
final class ProgressLine: Sendable {
    private struct State {
        var lastDrawn = ""
        var lastTable = ""
    }
    private let enabled: Bool
    private let terminal: Bool
    private let state = Mutex(State())

    init(enabled: Bool) {
        self.enabled = enabled
        self.terminal = isatty(STDERR_FILENO) == 1
    }

    func show(_ progress: TransferProgress) {
        guard enabled else { return }
        state.withLock { state in
            if terminal {
                let line = progress.bar()
                guard line != state.lastDrawn else { return }
                state.lastDrawn = line
                FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
            } else if progress.tableCopied == progress.tableTotal, progress.table != state.lastTable {
                state.lastTable = progress.table
                FileHandle.standardError.write(Data((progress.bar() + "\n").utf8))
            }
        }
    }

    func finish() {
        guard enabled, terminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
