import Synchronization

/// Where the demo reaches the server it runs beside: the host the server was given and its port — known in advance,
/// or, with `--port 0`, once the server listens and reports the port the system picked.
public final class DemoServerAddress: Sendable {
    /// The host to call: a wildcard address becomes loopback, an IPv6 address gets its brackets.
    let host: String
    private let port: Mutex<Int?>

    public init(host: String, port: Int) {
        self.host = switch host {
        case "0.0.0.0", "localhost", "": "127.0.0.1"
        case "::", "::1": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
        self.port = Mutex(port == 0 ? nil : port)
    }

    /// The server listens on `port` (called once it does).
    public func listening(on port: Int) {
        self.port.withLock { $0 = port }
    }

    /// `http://127.0.0.1:8080`, once the port is known.
    var url: String? {
        port.withLock { $0 }.map { "http://\(host):\($0)" }
    }
}
