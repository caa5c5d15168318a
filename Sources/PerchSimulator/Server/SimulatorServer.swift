import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Binds one TLS listener that speaks HTTP/2 (ALPN `h2`, many concurrent streams) and, where the
/// listener's service does, HTTP/1.1; every request goes to `route`. An HTTP/2-only listener (APNs) speaks
/// HTTP/2 also to a client that negotiates no protocol, as Apple's servers do; an HTTP/1.1 request there fails.
enum SimulatorServer {
    /// NIO's default header list limit (16 KiB).
    static let maximumHeaderListSize = 1 << 14

    static func bind(
        host: String,
        port: Int,
        group: any EventLoopGroup,
        maximumConcurrentStreams: Int,
        tls: NIOSSLContext,
        listener: SimulatorListener,
        logger: Logger,
        onConnection: @escaping @Sendable () -> Void,
        route: @escaping @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction
    ) async throws -> any Channel {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maximumConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maximumHeaderListSize),
        ]
        var stream = NIOHTTP2Handler.StreamConfiguration()
        // Clients reset streams whenever a stalled answer times out; NIO's flood protection (200 resets
        // per 30 s) would otherwise close connections that a benchmark with a stall rate legitimately makes.
        stream.streamResetFrameRateLimit.maximumCount = 1_000_000
        stream.streamErrorRateLimit.maximumCount = 1_000_000
        let connectionConfiguration = connection
        let streamConfiguration = stream

        // Frames straight to the simulator's connection handler: no channel per stream.
        @Sendable func configureHTTP2(_ channel: any Channel) -> EventLoopFuture<Void> {
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(
                    NIOHTTP2Handler(mode: .server, connectionConfiguration: connectionConfiguration, streamConfiguration: streamConfiguration),
                    SimulatorHTTP2Handler(listener: listener, route: route))
            }
        }

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                onConnection()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }.flatMap {
                    channel.configureHTTP2SecureUpgrade(
                        h2ChannelConfigurator: configureHTTP2,
                        http1ChannelConfigurator: { channel in
                            // APNs speaks only HTTP/2 and, like Apple's servers, also to a client that offers no ALPN at
                            // all (aioapns): HTTP/2 with prior knowledge. An HTTP/1.1 request fails its connection preface.
                            guard listener.acceptsHTTP1 else {
                                return configureHTTP2(channel)
                            }
                            return channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                                try channel.pipeline.syncOperations.addHandler(
                                    SimulatorRequestHandler(listener: listener, route: route))
                            }
                        })
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        logger.debug(
            "simulator listener bound",
            metadata: ["listener": "\(listener.rawValue)", "address": "\(channel.localAddress?.description ?? "?")"])
        return channel
    }
}
