import Foundation
import PerchSQL
import PostgresNIO

/// postgres-nio's rows read by the decoding both dialects share.
extension PostgresRandomAccessRow: SQLRow {
    public func text(_ column: Int) throws -> String? { try self[column].decode(String?.self) }
    public func integer(_ column: Int) throws -> Int? { try self[column].decode(Int?.self) }
    public func real(_ column: Int) throws -> Double? { try self[column].decode(Double?.self) }
    public func blob(_ column: Int) throws -> Data? { try self[column].decode(Data?.self) }
}
