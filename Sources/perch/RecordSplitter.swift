import ArgumentParser
import Foundation
import PerchCore

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
            let raw = CSVWriter.line(record.fields, cells: .verbatim).dropLast()
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
            // Perch's own export neutralised formula-like cells (CSVWriter); reading it back undoes exactly that.
            let fields = mapping == .perch ? record.fields.map(CSVWriter.restore) : record.fields
            let values = Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first })
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
