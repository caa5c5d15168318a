import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchServer
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
        logger.logLevel = .warning
        let store = try storeOptions.openStore(logger: logger)
        guard let record = try await store.app(id: app) else { throw ValidationError("no app \(app)") }
        let mapping = ImportMapping(rawValue: mapping) ?? .perch
        let format = self.format ?? TransferFormat.guess(fromPath: file)
        guard let input = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
        defer { try? input.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        let importer = RowImporter(store: store, appId: app, policy: record.endpointPolicy, rejectsPath: rejects ?? file + ".rejects.csv")
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

/// Turns the file's bytes into rows: CSV records matched to the header, or NDJSON lines.
struct RecordSplitter {
    let format: TransferFormat
    let mapping: ImportMapping
    private var csv = CSVReader()
    private var header: [String]?
    private var lineBuffer: [UInt8] = []
    private var lineNumber = 0

    init(format: TransferFormat, mapping: ImportMapping) {
        self.format = format
        self.mapping = mapping
    }

    mutating func feed(_ data: Data) throws -> [ImportCommand.Row] {
        switch format {
        case .csv: return try csvRows(csv.feed(data))
        case .ndjson:
            var rows: [ImportCommand.Row] = []
            for byte in data {
                if byte == UInt8(ascii: "\n") {
                    lineNumber += 1
                    if let row = ndjsonRow(lineBuffer, line: lineNumber) { rows.append(row) }
                    lineBuffer.removeAll(keepingCapacity: true)
                } else {
                    lineBuffer.append(byte)
                }
            }
            return rows
        }
    }

    mutating func finish() throws -> [ImportCommand.Row] {
        switch format {
        case .csv:
            let rows = try csvRows(csv.finish())
            if header == nil { throw ValidationError("the file is empty: a CSV import needs a header line") }
            return rows
        case .ndjson:
            defer { lineBuffer = [] }
            guard !lineBuffer.isEmpty else { return [] }
            lineNumber += 1
            return ndjsonRow(lineBuffer, line: lineNumber).map { [$0] } ?? []
        }
    }

    private mutating func csvRows(_ records: [CSVReader.Record]) throws -> [ImportCommand.Row] {
        var rows: [ImportCommand.Row] = []
        for record in records {
            let raw = CSVWriter.line(record.fields).dropLast()
            guard let header else {
                if let error = record.error { throw ValidationError("line \(record.line): the header is malformed: \(error)") }
                let names = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                let missing = mapping.missingColumns(in: names)
                guard missing.isEmpty else {
                    throw ValidationError("the header lacks \(missing.joined(separator: ", ")) for --mapping \(mapping.rawValue) (see docs/import.md)")
                }
                self.header = names
                continue
            }
            if let error = record.error {
                rows.append(.init(line: record.line, raw: String(raw), body: .failure(PerchError(.malformedBody, "malformed CSV: \(error)"))))
                continue
            }
            guard record.fields.count == header.count else {
                rows.append(.init(line: record.line, raw: String(raw), body: .failure(PerchError(
                    .malformedBody, "the row has \(record.fields.count) fields; the header has \(header.count)"))))
                continue
            }
            let values = Dictionary(zip(header, record.fields), uniquingKeysWith: { first, _ in first })
            rows.append(.init(line: record.line, raw: String(raw), body: Result { () throws(PerchError) in try mapping.registration(from: values) }))
        }
        return rows
    }

    private func ndjsonRow(_ bytes: [UInt8], line: Int) -> ImportCommand.Row? {
        let raw = String(decoding: bytes, as: UTF8.self)
        guard !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        guard case .object(var object)? = JSONValue(jsonText: raw) else {
            return .init(line: line, raw: raw, body: .failure(PerchError(.malformedBody, "the line is not a JSON object")))
        }
        guard mapping == .perch else {
            let values = object.compactMapValues { value -> String? in
                switch value {
                case .null, .array, .object: nil
                default: value.fcmDataString
                }
            }
            return .init(line: line, raw: raw, body: Result { () throws(PerchError) in try mapping.registration(from: values) })
        }
        if let status = object["status"]?.stringValue, !["active", "stale"].contains(status) {
            return .init(line: line, raw: raw, body: .failure(.invalid("status", "status \(status.prefix(16)): a retired token is not imported")))
        }
        if object["consent"] == "revoked" { object["consent"] = "denied" }
        do {
            let body = try JSONDecoder().decode(RegistrationBody.self, from: Data(JSONValue.object(object).jsonText.utf8))
            return .init(line: line, raw: raw, body: .success(body))
        } catch {
            return .init(line: line, raw: raw, body: .failure(PerchError(.malformedBody, "the line is not a registration: \(Self.describe(error))")))
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "malformed JSON" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field " + context.codingPath.map(\.stringValue).joined(separator: ".") + " has the wrong type"
        case .keyNotFound(let key, _):
            return "\(key.stringValue) is missing"
        @unknown default:
            return "malformed JSON"
        }
    }
}
