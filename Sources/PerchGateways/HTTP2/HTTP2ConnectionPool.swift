import NIOCore
import NIOSSL
import Synchronization

/// The gateways' HTTP/2 connections, by origin. A request goes to the origin's least loaded connection; when every
/// connection carries as many requests as its peer allows streams (its SETTINGS), another is opened, up to
/// ``Configuration/maximumConnectionsPerOrigin`` (Apple's guidance for APNs: several connections, kept open).
/// A request the peer did not process (refused, beyond a GOAWAY, or on a connection already going away) is sent
/// again; one that may have been processed is not, and fails.
final class HTTP2ConnectionPool: Sendable {
    /// Sizes and timeouts.
    struct Configuration: Sendable {
        /// Connections to one origin at most.
        var maximumConnectionsPerOrigin = 4
        /// TCP connect and TLS handshake together.
        var connectTimeout = TimeAmount.seconds(10)
        /// A connection with nothing in flight for this long is closed.
        var idleTimeout = TimeAmount.minutes(5)
    }

    private struct Origins {
        var ready: [HTTP2Origin: [HTTP2Connection]] = [:]
        var connecting: [HTTP2Origin: EventLoopPromise<HTTP2Connection>] = [:]
        var tls: [String?: NIOSSLContext] = [:]
        var isShutDown = false
    }

    private enum Choice {
        case use(HTTP2Connection)
        case await(EventLoopFuture<HTTP2Connection>)
        case open(EventLoopPromise<HTTP2Connection>, NIOSSLContext)
        case fail(HTTP2StreamFailure)
    }

    /// Times a request the peer did not process is sent again.
    static let unprocessedRetries = 2

    let configuration: Configuration
    private let group: any EventLoopGroup
    private let state = Mutex(Origins())

    init(group: any EventLoopGroup, configuration: Configuration) {
        self.group = group
        self.configuration = configuration
    }

    /// Sends `request` to `origin` and waits for the answer.
    func execute(_ request: HTTP2Request, on origin: HTTP2Origin) async -> Result<GatewayResponse, HTTP2StreamFailure> {
        var retries = 0
        while true {
            let connection: HTTP2Connection
            switch await self.connection(to: origin, before: request.deadline) {
            case .success(let ready): connection = ready
            case .failure(let failure): return .failure(failure)
            }
            let result = await connection.execute(request)
            connection.load.ended()
            if case .failure(.unprocessed) = result, retries < Self.unprocessedRetries, NIODeadline.now() < request.deadline {
                retries += 1
                continue
            }
            return result
        }
    }

    /// The connections open now to `origin`.
    func connections(to origin: HTTP2Origin) -> [HTTP2Connection] {
        state.withLock { $0.ready[origin] ?? [] }
    }

    /// Closes every connection; requests after this fail.
    func shutdown() async {
        let connections = state.withLock { state -> [HTTP2Connection] in
            state.isShutDown = true
            defer { state.ready = [:] }
            return state.ready.values.flatMap { $0 }
        }
        for connection in connections {
            connection.close()
            try? await connection.channel.closeFuture.get()
        }
    }

    /// A connection with this request counted in its load (the caller ends it); once a connection being opened is
    /// ready, the choice is made again, so a burst of requests spreads over as many connections as it needs. A server
    /// whose connections close as soon as they open cannot keep a request choosing past its deadline.
    private func connection(to origin: HTTP2Origin, before deadline: NIODeadline) async -> Result<HTTP2Connection, HTTP2StreamFailure> {
        while true {
            guard NIODeadline.now() < deadline else { return .failure(.timeout) }
            let pending: EventLoopFuture<HTTP2Connection>
            switch choose(origin) {
            case .use(let connection):
                return .success(connection)
            case .fail(let failure):
                return .failure(failure)
            case .await(let future):
                pending = future
            case .open(let promise, let tls):
                HTTP2Connection.connect(to: origin, tls: tls, group: group, configuration: configuration)
                    .whenComplete { result in self.opened(result, to: origin) }
                pending = promise.futureResult
            }
            do {
                _ = try await pending.get()
            } catch {
                return .failure(error as? HTTP2StreamFailure ?? .connectFailed(String(describing: type(of: error))))
            }
        }
    }

    /// The pool's decision, under its lock: the least loaded connection that has a stream free; else the connection
    /// being opened; else a new one if the limit allows; else the least loaded (its HTTP/2 layer queues the request
    /// until a stream frees up).
    private func choose(_ origin: HTTP2Origin) -> Choice {
        state.withLock { state in
            guard !state.isShutDown else { return .fail(.connectFailed("the gateways are shut down")) }
            // A connection going away (GOAWAY, idle) stays listed until it closes, so shutdown still reaches it.
            let ready = (state.ready[origin] ?? []).filter(\.load.isAccepting)
            let leastLoaded = ready.min { $0.load.requests < $1.load.requests }
            if let leastLoaded, !leastLoaded.load.isSaturated {
                leastLoaded.load.began()
                return .use(leastLoaded)
            }
            if let connecting = state.connecting[origin] { return .await(connecting.futureResult) }
            if ready.count < configuration.maximumConnectionsPerOrigin {
                let tls: NIOSSLContext
                if let cached = state.tls[origin.caCertificatePEM] {
                    tls = cached
                } else {
                    do { tls = try Self.tlsContext(trusting: origin.caCertificatePEM) } catch {
                        return .fail(.connectFailed(String(describing: type(of: error))))
                    }
                    state.tls[origin.caCertificatePEM] = tls
                }
                let promise = group.any().makePromise(of: HTTP2Connection.self)
                state.connecting[origin] = promise
                return .open(promise, tls)
            }
            guard let leastLoaded else { return .fail(.connectFailed("no connection")) }
            leastLoaded.load.began()
            return .use(leastLoaded)
        }
    }

    private func opened(_ result: Result<HTTP2Connection, any Error>, to origin: HTTP2Origin) {
        let (promise, isShutDown) = state.withLock { state in
            if case .success(let connection) = result, !state.isShutDown {
                state.ready[origin, default: []].append(connection)
            }
            return (state.connecting.removeValue(forKey: origin), state.isShutDown)
        }
        if case .success(let connection) = result {
            connection.channel.closeFuture.whenComplete { _ in self.closed(connection, to: origin) }
            if isShutDown { connection.close() }
        }
        promise?.completeWith(result)
    }

    private func closed(_ connection: HTTP2Connection, to origin: HTTP2Origin) {
        state.withLock { state in state.ready[origin]?.removeAll { $0 === connection } }
    }

    static func tlsContext(trusting caCertificatePEM: String?) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["h2"]
        if let pem = caCertificatePEM {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8)))
        }
        return try NIOSSLContext(configuration: tls)
    }
}
