import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchStore

/// `perch export`: every installation's current device token and its VoIP and Live Activity tokens, decrypted, to the file the operator names
/// (or stdout) — the reverse of `perch import --mapping perch`. Tokens go to that output only,
/// never to logs; the file is created with mode 0600.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the app's installations and their tokens (decrypted) as CSV or NDJSON, readable by `perch import`.")

    @Option(help: "The app id") var app: String
    @Option(help: "csv or ndjson (default: from --output's name, else csv)") var format: TransferFormat?
    @Option(help: "The file to write (mode 0600); stdout when absent") var output: String?
    @Flag(help: "Also export installations whose token is invalid, revoked, replaced or expired") var includeRetired = false
    @Flag(help: "No progress on stderr") var quiet = false
    @OptionGroup var storeOptions: StoreOptions

    static let pageSize = 500

    func run() async throws {
        var logger = Logger(label: "perch.export")
        logger.logLevel = .warning
        // Through withStore, so a PostgreSQL store's pool runs while the pages are read.
        try await storeOptions.withStore(logger: logger) { store in try await export(from: store) }
    }

    func export(from store: any PerchStore) async throws {
        guard try await store.app(id: app) != nil else { throw ValidationError("no app \(app)") }
        let format = self.format ?? TransferFormat.guess(fromPath: output)
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]),
                  let opened = FileHandle(forWritingAtPath: output)
            else { throw ValidationError("cannot write \(output)") }
            handle = opened
        } else {
            handle = FileHandle.standardOutput
        }
        defer { if output != nil { try? handle.close() } }

        let total = try await store.tokenHealth(appId: app, filter: TokenHealth.Filter()).total
        var progress = ProgressBar(label: "exporting", total: includeRetired ? total : nil, enabled: !quiet && output != nil)
        var buffer = Data()
        if format == .csv { buffer.append(Data(CSVWriter.line(ImportMapping.perchColumns).utf8)) }
        var cursor: String?
        var count = 0
        while true {
            let page = try await store.exportPage(appId: app, after: cursor, limit: Self.pageSize, liveOnly: !includeRetired)
            guard let last = page.last else { break }
            cursor = last.exportCursor
            for token in page {
                let columns = Self.columns(token)
                switch format {
                case .csv:
                    buffer.append(Data(CSVWriter.line(ImportMapping.perchColumns.map { columns[$0]?.csvText ?? "" }).utf8))
                case .ndjson:
                    buffer.append(Data((Self.registrationObject(columns).jsonText + "\n").utf8))
                }
            }
            count += page.count
            if buffer.count >= 64 * 1024 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            progress.update(done: count, rows: count, rejected: 0)
        }
        try handle.write(contentsOf: buffer)
        progress.update(done: count, rows: count, rejected: 0, force: true)
        progress.finish()
        if output != nil { print(JSONValue.object(["exported": .integer(count), "file": .string(output ?? "")]).jsonText) }
    }

    /// The export's columns for one installation, by ``ImportMapping/perchColumns`` name.
    static func columns(_ token: ExportedToken) -> [String: JSONValue] {
        let iso = ISO8601DateFormatter()
        var columns: [String: JSONValue] = [
            "installationId": .string(token.installationId), "platform": .string(token.destination.platform.rawValue),
            "status": .string(token.status.name.rawValue), "createdAt": .string(iso.string(from: token.createdAt)),
            "lastSeenAt": .string(iso.string(from: token.lastSeenAt)),
        ]
        switch token.destination {
        case .apns(let value, let environment):
            columns["token"] = .string(value)
            if let environment { columns["environment"] = .string(environment.rawValue) }
        case .fcm(let value):
            columns["token"] = .string(value)
        case .webpush(let subscription):
            columns["endpoint"] = .string(subscription.endpoint.absoluteString)
            columns["p256dh"] = .string(Base64URL.encode(subscription.p256dh))
            columns["auth"] = .string(Base64URL.encode(subscription.auth))
        }
        if let userId = token.userId { columns["userId"] = .string(userId) }
        if let consent = token.consent { columns["consent"] = .string(consent.rawValue) }
        if let appVersion = token.appVersion { columns["appVersion"] = .string(appVersion) }
        if let locale = token.locale { columns["locale"] = .string(locale) }
        if let timezone = token.timezone { columns["timezone"] = .string(timezone) }
        if let attributes = token.attributes, !attributes.isEmpty { columns["attributes"] = .object(attributes) }
        if token.kind != .device {
            columns["kind"] = .string(token.kind.name.rawValue)
            if let activityType = token.kind.activityType { columns["activityType"] = .string(activityType) }
            if let activityId = token.kind.activityId { columns["activityId"] = .string(activityId) }
        }
        return columns
    }

    /// The NDJSON line: a `POST /v1/tokens` body plus `status`, `createdAt` and `lastSeenAt`.
    static func registrationObject(_ columns: [String: JSONValue]) -> JSONValue {
        var object = columns
        if let endpoint = object.removeValue(forKey: "endpoint") {
            let p256dh = object.removeValue(forKey: "p256dh") ?? .null
            let auth = object.removeValue(forKey: "auth") ?? .null
            object["subscription"] = ["endpoint": endpoint, "keys": ["p256dh": p256dh, "auth": auth]]
        }
        return .object(object)
    }
}

extension JSONValue {
    /// A CSV cell: strings as they are, objects as JSON text.
    fileprivate var csvText: String {
        if case .string(let text) = self { return text }
        return jsonText
    }
}
