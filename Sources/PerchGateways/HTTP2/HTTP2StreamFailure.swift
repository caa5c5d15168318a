import NIOHTTP2

/// Why a request on an HTTP/2 connection got no answer.
enum HTTP2StreamFailure: Error, Sendable, Equatable {
    /// The peer never processed it (refused, beyond GOAWAY's last stream, or the connection was already
    /// going away): it may be sent again on another connection.
    case unprocessed
    /// No answer before the request's deadline.
    case timeout
    /// The peer reset the stream.
    case reset(HTTP2ErrorCode)
    /// The connection ended while the request was in flight; the peer may have processed it.
    case connectionLost
    /// A frame broke the protocol, or the answer was too large.
    case protocolViolation(String)
    /// No connection could be made (the detail is an error type name, never an address).
    case connectFailed(String)

    /// The transport failure a gateway reports.
    var transportFailure: GatewayTransportFailure {
        switch self {
        case .timeout: .timeout
        case .unprocessed: .transport("HTTP2: refused")
        case .reset(let code): .transport("HTTP2: RST_STREAM \(code)")
        case .connectionLost: .transport("HTTP2: connection lost")
        case .protocolViolation(let detail): .transport("HTTP2: " + detail)
        case .connectFailed(let detail): .transport(detail)
        }
    }
}
