import Foundation
import GRDB
import PerchSQL

/// GRDB's rows read by the decoding both dialects share.
extension Row: SQLRow {
    public func text(_ column: Int) throws -> String? { try value(column) }
    public func integer(_ column: Int) throws -> Int? { try value(column) }
    public func real(_ column: Int) throws -> Double? { try value(column) }
    public func blob(_ column: Int) throws -> Data? { try value(column) }

    /// A column converted as GRDB converts it (an integer reads as a real), or an error instead of GRDB's trap.
    private func value<Value: DatabaseValueConvertible>(_ column: Int) throws -> Value? {
        let stored: DatabaseValue = self[column]
        if stored.isNull { return nil }
        guard let value = Value.fromDatabaseValue(stored) else { throw SQLRowError(column: column) }
        return value
    }
}
