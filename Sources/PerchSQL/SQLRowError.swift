/// A column read as required held NULL, or a value that is not of the type read.
public struct SQLRowError: Error, Sendable, Hashable, CustomStringConvertible {
    public var column: Int

    public init(column: Int) {
        self.column = column
    }

    public var description: String { "column \(column) is NULL or cannot be read as the type asked" }
}
