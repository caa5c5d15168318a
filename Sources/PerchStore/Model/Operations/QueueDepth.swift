/// One app's delivery queue at a moment.
public struct QueueDepth: Sendable, Hashable {
    public var appId: String
    /// Rows a worker may claim now: pending or retrying and due, or held by a worker whose lease ran out.
    public var due: Int
    /// Rows due later: scheduled sends (local time, optimised time) and retries backing off.
    public var waiting: Int
    /// Rows a live worker holds under its lease.
    public var inFlight: Int

    public init(appId: String, due: Int, waiting: Int, inFlight: Int) {
        self.appId = appId
        self.due = due
        self.waiting = waiting
        self.inFlight = inFlight
    }
}
