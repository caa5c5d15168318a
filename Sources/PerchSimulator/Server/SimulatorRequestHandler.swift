import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects one request at a time (an HTTP/2 stream, or an HTTP/1.1 connection's requests in turn),
/// asks the simulator what to do with it and does it: answer after the latency, reset the connection,
/// or stall. Runs on the channel's event loop.
final class SimulatorRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Requests larger than this are not buffered further; the services answer 413 long before.
    static let maximumBufferedBody = 1 << 20

    private let listener: SimulatorListener
    private let route: @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(listener: SimulatorListener, route: @escaping @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction) {
        self.listener = listener
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
        case .body(var chunk):
            if body == nil {
                body = chunk
            } else if body!.readableBytes < Self.maximumBufferedBody {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let bytes = body.map { Data($0.readableBytesView) } ?? Data()
            body = nil
            let request = SimulatorRequest(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { (name: $0.name, value: $0.value) }, body: bytes)
            perform(route(request, listener), version: head.version, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func perform(_ action: SimulatorAction, version: HTTPVersion, context: ChannelHandlerContext) {
        switch action {
        case .stall:
            return
        case .respond(let response, let delay):
            after(delay, context: context) { Self.write(response, version: version, context: context) }
        case .reset(let delay):
            after(delay, context: context) { Self.reset(context: context) }
        case .respondThenGoAway(let response, let delay):
            after(delay, context: context) {
                Self.write(response, version: version, context: context, closing: context.channel.parent == nil)
                Self.goAway(context: context)
            }
        }
    }

    /// How long a connection stays open after GOAWAY so answers in flight reach the client.
    static let goAwayGracePeriod = TimeAmount.milliseconds(500)

    /// Sends GOAWAY (NO_ERROR, last stream = this one) on the HTTP/2 connection, then closes it after
    /// a grace period. On HTTP/1.1 the answer already carried `connection: close`; the connection closes.
    private static func goAway(context: ChannelHandlerContext) {
        guard let connection = context.channel.parent else {
            return
        }
        let streamID = (try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID)) ?? .rootStream
        let frame = HTTP2Frame(
            streamID: .rootStream,
            payload: .goAway(
                lastStreamID: streamID, errorCode: .noError,
                opaqueData: connection.allocator.buffer(string: #"{"reason":"Shutdown"}"#)))
        connection.writeAndFlush(frame, promise: nil)
        connection.eventLoop.scheduleTask(in: goAwayGracePeriod) { connection.close(promise: nil) }
    }

    private func after(_ delay: Duration, context: ChannelHandlerContext, _ work: @escaping () -> Void) {
        guard delay > .zero else { return work() }
        context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) { work() }
    }

    private static func write(
        _ response: SimulatorResponse, version: HTTPVersion, context: ChannelHandlerContext, closing: Bool = false
    ) {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        // An HTTP/2 answer without a body is a lone HEADERS frame ending the stream, as APNs sends a 200: no length to give.
        if version.major < 2 || !response.body.isEmpty {
            headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
        }
        if closing { headers.replaceOrAdd(name: "connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        if !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        }
        if closing {
            let channel = context.channel
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        } else {
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
        }
    }

    /// Closes the TCP connection abortively: SO_LINGER 0 makes close send RST, and closing below
    /// the TLS handler skips close_notify, so the client sees a reset, not an orderly shutdown.
    private static func reset(context: ChannelHandlerContext) {
        let connection = context.channel.parent ?? context.channel
        if let provider = connection as? any SocketOptionProvider {
            _ = provider.setSoLinger(linger(l_onoff: 1, l_linger: 0))
        }
        if let tls = try? connection.pipeline.syncOperations.context(handlerType: NIOSSLServerHandler.self) {
            tls.close(promise: nil)
        } else {
            connection.close(promise: nil)
        }
    }
}
