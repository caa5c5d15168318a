import Foundation

/// Writes the rows of a ``SQLRecordSet`` straight into one buffer: an `Encoder` for flat rows, keyed properties of
/// strings, numbers and booleans, `nil` left out, each key in snake_case worked out once per name. `JSONEncoder` with
/// `.convertToSnakeCase` was 13% of a worker's CPU on PostgreSQL (its key conversion alone 5%; `perf`,
/// bench/scale/README.md, session 32) for the batches it encodes: every enqueue, record and lease extension.
/// A row that nests anything is refused with an `EncodingError`.
final class RecordSetEncoder {
    private var bytes: [UInt8] = []
    /// Whether the object being written has no key yet.
    private var opening = true
    /// `"snake_name":` per property name.
    private var keys: [String: [UInt8]] = [:]
    private static let hexDigits = Array("0123456789abcdef".utf8)
    /// Where a row asked for something nested, which a record set has no column for.
    var nested: [any CodingKey]?

    func json<Row: Encodable>(_ rows: [Row]) throws -> String {
        bytes.reserveCapacity(rows.count * 192 + 2)
        bytes.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "{"))
            opening = true
            try row.encode(to: RowEncoder(target: self))
            if let path = nested {
                throw Self.nestedValue(row, at: path)
            }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The error for a row that holds something a record set has no column for.
    static func nestedValue(_ value: Any, at path: [any CodingKey]) -> EncodingError {
        .invalidValue(value, .init(codingPath: path, debugDescription: "a record set's row holds only strings, numbers and booleans"))
    }

    func key(_ name: String) {
        if !opening { bytes.append(UInt8(ascii: ",")) }
        opening = false
        if let known = keys[name] {
            bytes.append(contentsOf: known)
            return
        }
        var written: [UInt8] = []
        writeString(Self.snakeCase(name), into: &written)
        written.append(UInt8(ascii: ":"))
        keys[name] = written
        bytes.append(contentsOf: written)
    }

    func write(_ value: String) { writeString(value, into: &bytes) }
    func write(_ value: Bool) { bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func write<I: BinaryInteger>(_ value: I) { bytes.append(contentsOf: String(value).utf8) }

    /// The shortest text that reads back as the same `Double`.
    func write(_ value: Double, at path: [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: path, debugDescription: "JSON has no \(value)"))
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    private func writeString(_ value: String, into target: inout [UInt8]) {
        target.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                target.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                           Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            default: target.append(byte)
            }
        }
        target.append(UInt8(ascii: "\""))
    }

    /// `campaignId` → `campaign_id`, `gatewayURLPath` → `gateway_url_path`: what `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase`
    /// makes of a property's name (lower camelCase).
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name)
        var result = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) { result.append("_") }
            }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}
