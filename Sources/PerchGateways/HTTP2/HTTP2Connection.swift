import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import NIOSSL

/// One TLS connection speaking HTTP/2 to a gateway origin, frame by frame (``HTTP2ClientHandler``).
final class HTTP2Connection: Sendable {
    let channel: any Channel
    let load: HTTP2ConnectionLoad
    private let handler: NIOLoopBound<HTTP2ClientHandler>

    private init(channel: any Channel, handler: NIOLoopBound<HTTP2ClientHandler>, load: HTTP2ConnectionLoad) {
        self.channel = channel
        self.handler = handler
        self.load = load
    }

    /// Connects, completes TLS and sends the HTTP/2 preface; the future fails with ``HTTP2StreamFailure/connectFailed(_:)``.
    static func connect(
        to origin: HTTP2Origin, tls: NIOSSLContext, group: any EventLoopGroup, configuration: HTTP2ConnectionPool.Configuration
    ) -> EventLoopFuture<HTTP2Connection> {
        let load = HTTP2ConnectionLoad()
        // SNI carries names only; for an address, NIOSSL checks the certificate against the address itself.
        let serverHostname = (try? SocketAddress(ipAddress: origin.host, port: 0)) == nil ? origin.host : nil
        let settings = [
            // Answers are small; a stream window above the largest accepted answer means no stream ever waits for
            // a WINDOW_UPDATE from this side.
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 17),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
            HTTP2Setting(parameter: .enablePush, value: 0),
        ]
        let idleTimeout = configuration.idleTimeout
        let connectTimeout = configuration.connectTimeout
        let maximumResponseBytes = GatewayTransport.maximumResponseBytes
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    try pipeline.addHandler(NIOHTTP2Handler(mode: .client, initialSettings: settings))
                    try pipeline.addHandler(HTTP2ClientHandler(
                        load: load, ready: channel.eventLoop.makePromise(), idleTimeout: idleTimeout,
                        maximumResponseBytes: maximumResponseBytes))
                }
            }
        return bootstrap.connect(host: origin.host, port: origin.port)
            .flatMapErrorThrowing { error in
                throw error as? HTTP2StreamFailure ?? .connectFailed(String(describing: type(of: error)))
            }
            .flatMap { channel in
                let handler: HTTP2ClientHandler
                do {
                    handler = try channel.pipeline.syncOperations.handler(type: HTTP2ClientHandler.self)
                } catch {
                    return channel.eventLoop.makeFailedFuture(HTTP2StreamFailure.connectFailed("no HTTP/2 handler"))
                }
                let connection = HTTP2Connection(
                    channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop), load: load)
                // The connect timeout covers TCP only: a TLS handshake or a first SETTINGS that never comes ends here.
                let ready = handler.ready
                let timeout = channel.eventLoop.scheduleTask(in: connectTimeout) {
                    ready.fail(HTTP2StreamFailure.timeout)
                    channel.close(promise: nil)
                }
                ready.futureResult.whenComplete { _ in timeout.cancel() }
                return ready.futureResult.map { connection }
            }
    }

    /// Sends one request and waits for its answer.
    func execute(_ request: HTTP2Request) async -> Result<GatewayResponse, HTTP2StreamFailure> {
        let answer = channel.eventLoop.makePromise(of: GatewayResponse.self)
        let handler = self.handler
        channel.eventLoop.execute { handler.value.submit(request, answer: answer) }
        do {
            return .success(try await answer.futureResult.get())
        } catch let failure as HTTP2StreamFailure {
            return .failure(failure)
        } catch {
            return .failure(.connectionLost)
        }
    }

    /// Closes now; requests in flight fail with ``HTTP2StreamFailure/connectionLost``.
    func close() {
        load.stopAccepting()
        channel.close(promise: nil)
    }
}
