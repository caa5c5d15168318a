/// Why a ``PushSimulator`` could not start.
public struct SimulatorError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case notLoopback
        case stopped
        case stateDirectory
    }

    private let code: Code
    private let detail: String

    /// The configured host is not a loopback address; the simulator never listens elsewhere.
    public static func notLoopback(_ host: String) -> Self { Self(code: .notLoopback, detail: host) }
    /// The simulator was shut down and cannot start again.
    public static let stopped = Self(code: .stopped, detail: "")
    /// The state directory could not be written.
    public static func stateDirectory(_ path: String) -> Self { Self(code: .stateDirectory, detail: path) }

    public var description: String {
        switch code {
        case .notLoopback: "the simulator listens on loopback addresses only, not '\(detail)'"
        case .stopped: "the simulator has been shut down"
        case .stateDirectory: "cannot write the simulator state directory '\(detail)'"
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
