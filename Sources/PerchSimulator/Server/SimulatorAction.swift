/// What the server does with a request once a simulated service has judged it.
enum SimulatorAction: Sendable {
    /// Answer, after `delay`.
    case respond(SimulatorResponse, delay: Duration)
    /// Reset the connection, after `delay`.
    case reset(delay: Duration)
    /// Never answer.
    case stall
}
