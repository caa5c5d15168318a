import Foundation
import NIOCore
import NIOHTTP2
import NIOPosix
import NIOSSL
import Testing

@testable import PerchSimulator

@Suite("HTTP/2 connection settings")
struct HTTP2SettingsTests {
    @Test("every listener advertises SETTINGS_MAX_CONCURRENT_STREAMS 1000, as APNs does")
    func maxConcurrentStreams() async throws {
        try await withSimulator { harness async throws in
            for url in [harness.endpoints.apnsURL, harness.endpoints.apnsSandboxURL, harness.endpoints.fcmURL, harness.endpoints.webPushURL] {
                let settings = try await Self.serverSettings(url: url, caPEM: harness.endpoints.caCertificatePEM)
                #expect(settings.first { $0.parameter == .maxConcurrentStreams }?.value == 1000, "\(url)")
            }
        }
    }

    /// Connects with a raw NIO HTTP/2 client (ALPN h2, the simulator CA trusted) and returns the
    /// server's first SETTINGS frame.
    static func serverSettings(url: String, caPEM: String) async throws -> HTTP2Settings {
        let address = try #require(URL(string: url))
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(caPEM.utf8), format: .pem)])
        tls.applicationProtocols = ["h2"]
        let context = try NIOSSLContext(configuration: tls)
        let settings = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: HTTP2Settings.self)
        let host = address.host!.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        NIOSSLClientHandler(context: context, serverHostname: nil),
                        NIOHTTP2Handler(mode: .client),
                        SettingsCapture(promise: settings))
                }
            }
            .connect(host: host, port: address.port!).get()
        defer { channel.close(promise: nil) }
        return try await settings.futureResult.get()
    }
}

/// Completes `promise` with the server's first SETTINGS frame (or the connection's failure).
final class SettingsCapture: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame

    private let promise: EventLoopPromise<HTTP2Settings>
    private var completed = false

    init(promise: EventLoopPromise<HTTP2Settings>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !completed, case .settings(.settings(let settings)) = unwrapInboundIn(data).payload {
            completed = true
            promise.succeed(settings)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !completed {
            completed = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed {
            completed = true
            promise.fail(ChannelError.alreadyClosed)
        }
    }
}
