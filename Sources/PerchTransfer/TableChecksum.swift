import Crypto
import Foundation

/// An order-independent checksum of a table's rows: the SHA-256 of each row's canonical
/// encoding, added up lane by lane (four wrapping 64-bit sums). Rows are unique by key, so two
/// tables with the same rows in any order agree, and a changed, missing or extra row changes it.
public struct TableChecksum: Sendable, Hashable, CustomStringConvertible {
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Rows added so far.
    public private(set) var rows = 0

    public init() {}

    /// Adds one row.
    public mutating func add(_ row: [TransferValue]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        for value in row { value.appendCanonical(to: &bytes) }
        let digest = Array(SHA256.hash(data: bytes))
        func lane(_ index: Int) -> UInt64 {
            digest[index * 8..<index * 8 + 8].reduce(0) { $0 << 8 | UInt64($1) }
        }
        lanes = (lanes.0 &+ lane(0), lanes.1 &+ lane(1), lanes.2 &+ lane(2), lanes.3 &+ lane(3))
        rows += 1
    }

    /// The sum as 64 hex digits.
    public var description: String {
        [lanes.0, lanes.1, lanes.2, lanes.3].map { String(format: "%016llx", $0) }.joined()
    }

    public static func == (lhs: TableChecksum, rhs: TableChecksum) -> Bool {
        lhs.rows == rhs.rows && lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rows)
        hasher.combine(description)
    }
}
