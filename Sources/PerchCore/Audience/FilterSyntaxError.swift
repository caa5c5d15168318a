/// A filter that does not parse, with the character offset where it went wrong.
public struct FilterSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Zero-based offset into the filter text.
    public var position: Int
    public var message: String

    public var description: String { "at \(position): \(message)" }

    /// The API error for a filter given in `field`.
    public func perchError(field: String) -> PerchError {
        PerchError(.invalidField, "filter error \(description)", field: field)
    }
}
