import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchDelivery
import PerchStore

/// `perch import`: tokens from a CSV or NDJSON file, streamed, each row through the same validation
/// and sealing as `POST /v1/tokens`. Every row is either stored or written, with its line number and
/// the reason, to the rejects file — nothing is dropped silently.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import tokens from CSV or NDJSON (Perch, OneSignal or Firebase columns); bad rows go to a rejects file.",
        discussion: """
            Columns: docs/import.md. Exit status 0 when every row was stored, 1 when some were rejected \
            (the good ones are stored all the same). A summary is printed as JSON on stdout.
            """)

    @Option(help: "The app id") var app: String
    @Option(help: "csv or ndjson (default: from the file name; .ndjson/.jsonl/.json are NDJSON)") var format: TransferFormat?
    @Option(help: "Column names: perch, onesignal or firebase") var mapping: String = "perch"
    @Option(help: "Where rejected rows go (default: FILE.rejects.csv)") var rejects: String?
    @Flag(help: "No progress bar on stderr") var quiet = false
    @Argument(help: "The file to import") var file: String
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var gatewayHosts: GatewayHostOptions

    /// Rows registered concurrently (SQLite commits them in groups).
    static let batchSize = 128

    struct Row {
        var line: Int
        var raw: String
        var body: Result<RegistrationBody, PerchError>
    }

    func validate() throws {
        guard ImportMapping(rawValue: mapping) != nil else { throw ValidationError("--mapping is perch, onesignal or firebase") }
    }

    func run() async throws {
        var logger = Logger(label: "perch.import")
        // Warnings and errors on stderr unless PERCH_LOG_LEVEL asks for more (the pool's connection events are debug).
        logger.logLevel = Environment.value("PERCH_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .warning
        // Imports only register tokens, so they work on every backend.
        try await storeOptions.withStore(logger: logger) { store in try await importFile(into: store) }
    }

    func importFile(into store: any RegistryBackend) async throws {
        guard let record = try await store.app(id: app) else { throw ValidationError("no app \(app)") }
        let mapping = ImportMapping(rawValue: mapping) ?? .perch
        let format = self.format ?? TransferFormat.guess(fromPath: file)
        guard let input = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
        defer { try? input.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        let importer = RowImporter(store: store, appId: app, policy: record.endpointPolicy(operatorHosts: try gatewayHosts.allowList()), rejectsPath: rejects ?? file + ".rejects.csv")
        var progress = ProgressBar(label: "importing", total: size, enabled: !quiet)
        var bytesRead = 0
        var pending: [Row] = []
        var reader = RecordSplitter(format: format, mapping: mapping)

        while true {
            let chunk = try input.read(upToCount: 64 * 1024) ?? Data()
            bytesRead += chunk.count
            pending += try (chunk.isEmpty ? reader.finish() : reader.feed(chunk))
            while pending.count >= Self.batchSize || (chunk.isEmpty && !pending.isEmpty) {
                let batch = Array(pending.prefix(Self.batchSize))
                pending.removeFirst(batch.count)
                try await importer.importBatch(batch)
                progress.update(done: bytesRead, rows: importer.rows, rejected: importer.rejected)
            }
            if chunk.isEmpty { break }
        }
        progress.update(done: bytesRead, rows: importer.rows, rejected: importer.rejected, force: true)
        progress.finish()
        try importer.close()
        var summary: [String: JSONValue] = [
            "rows": .integer(importer.rows), "stored": .integer(importer.stored), "created": .integer(importer.created),
            "updated": .integer(importer.stored - importer.created), "rejected": .integer(importer.rejected),
        ]
        if importer.rejected > 0 { summary["rejectsFile"] = .string(importer.rejectsPath) }
        print(JSONValue.object(summary).jsonText)
        if importer.rejected > 0 { throw ExitCode(1) }
    }
}
