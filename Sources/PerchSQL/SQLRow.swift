import Foundation

/// A result row as the shared decoding reads it, by column index. Each dialect's row type conforms; a column read
/// as a type it cannot become throws.
public protocol SQLRow {
    func text(_ column: Int) throws -> String?
    func integer(_ column: Int) throws -> Int?
    func real(_ column: Int) throws -> Double?
    func blob(_ column: Int) throws -> Data?
}

extension SQLRow {
    /// A column that must not be NULL.
    public func text(required column: Int) throws -> String { try text(column) ?? { throw SQLRowError(column: column) }() }
    public func integer(required column: Int) throws -> Int { try integer(column) ?? { throw SQLRowError(column: column) }() }
    public func real(required column: Int) throws -> Double { try real(column) ?? { throw SQLRowError(column: column) }() }
    public func blob(required column: Int) throws -> Data { try blob(column) ?? { throw SQLRowError(column: column) }() }
}
