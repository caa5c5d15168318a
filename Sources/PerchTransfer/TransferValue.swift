import Foundation
import PerchCore

/// One cell as `perch migrate` carries and compares it: the same value read from SQLite and
/// from PostgreSQL compares equal and hashes the same.
public enum TransferValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// JSON text in canonical form (keys sorted, no insignificant space), so SQLite's text and
    /// PostgreSQL's `jsonb` rendering of the same document agree. Text that is not JSON stays as it is.
    public static func json(_ text: String) -> TransferValue {
        .text(JSONValue(jsonText: text)?.jsonText ?? text)
    }

    /// The bytes hashed for this value: a type tag, then a fixed encoding.
    func appendCanonical(to bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(0)
        case .integer(let value):
            bytes.append(1)
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        case .real(let value):
            bytes.append(2)
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        case .text(let value):
            bytes.append(3)
            let utf8 = Array(value.utf8)
            withUnsafeBytes(of: UInt64(utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: utf8)
        case .blob(let value):
            bytes.append(4)
            withUnsafeBytes(of: UInt64(value.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: value)
        }
    }
}
