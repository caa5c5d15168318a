/// A condition that did not come true before its deadline.
struct WaitTimedOut: Error, CustomStringConvertible {
    var description: String
}
