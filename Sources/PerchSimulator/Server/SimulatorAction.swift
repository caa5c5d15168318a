/// What the server does with a request once a simulated service has judged it.
enum SimulatorAction: Sendable {
    /// Answer, after `delay`.
    case respond(SimulatorResponse, delay: Duration)
    /// Reset the connection, after `delay`.
    case reset(delay: Duration)
    /// Never answer.
    case stall
    /// Answer after `delay`, then send GOAWAY and close the connection.
    case respondThenGoAway(SimulatorResponse, delay: Duration)

    /// This action followed by GOAWAY (only answers are followed; a reset or a stall is left as is).
    func followedByGoAway() -> SimulatorAction {
        switch self {
        case .respond(let response, let delay): .respondThenGoAway(response, delay: delay)
        case .reset, .stall, .respondThenGoAway: self
        }
    }
}
