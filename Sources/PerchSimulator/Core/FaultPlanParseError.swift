/// A `--faults` spec item that does not follow the grammar.
public struct FaultPlanParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The item as written.
    public var item: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "fault spec item '\(item)': \(problem)" }
}
