/// A condition that did not come true before its deadline.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
