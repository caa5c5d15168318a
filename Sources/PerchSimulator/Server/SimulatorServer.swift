import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// Binds one TLS listener that speaks HTTP/2 (ALPN `h2`, many concurrent streams) and, for simple
/// clients, HTTP/1.1; every request goes to `route`.
enum SimulatorServer {
    /// Apple advertises 1000 concurrent streams per APNs connection; the simulator does the same.
    static let maximumConcurrentStreams = 1000
    /// NIO's default header list limit (16 KiB).
    static let maximumHeaderListSize = 1 << 14

    static func bind(
        host: String,
        port: Int,
        group: any EventLoopGroup,
        tls: NIOSSLContext,
        listener: SimulatorListener,
        logger: Logger,
        route: @escaping @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction
    ) async throws -> any Channel {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maximumConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maximumHeaderListSize),
        ]
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = 1 << 20
        let connectionConfiguration = connection
        let streamConfiguration = stream

        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                }.flatMap {
                    channel.configureHTTP2SecureUpgrade(
                        h2ChannelConfigurator: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                                    mode: .server,
                                    connectionConfiguration: connectionConfiguration,
                                    streamConfiguration: streamConfiguration
                                ) { stream in
                                    stream.eventLoop.makeCompletedFuture {
                                        try stream.pipeline.syncOperations.addHandlers(
                                            HTTP2FramePayloadToHTTP1ServerCodec(),
                                            SimulatorRequestHandler(listener: listener, route: route))
                                    }
                                }
                            }
                        },
                        http1ChannelConfigurator: { channel in
                            channel.eventLoop.makeCompletedFuture {
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
