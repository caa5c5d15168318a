import Foundation
import NIOCore
import NIOHTTP1

/// Collects an HTTP/1.1 connection's requests in turn, asks the simulator what to do with each and does it: answer
/// after the latency, reset the connection, or stall. Runs on the channel's event loop. (HTTP/2: ``SimulatorHTTP2Handler``.)
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
            let request = SimulatorRequest(head, body: body)
            body = nil
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
            SimulatorConnection.after(delay, on: context.eventLoop) { Self.write(response, version: version, context: context) }
        case .reset(let delay):
            SimulatorConnection.after(delay, on: context.eventLoop) { SimulatorConnection.reset(context.channel) }
        case .respondThenGoAway(let response, let delay):
            // HTTP/1.1 has no GOAWAY: the answer carries `connection: close` and the connection closes after it.
            SimulatorConnection.after(delay, on: context.eventLoop) {
                Self.write(response, version: version, context: context, closing: true)
            }
        }
    }

    private static func write(
        _ response: SimulatorResponse, version: HTTPVersion, context: ChannelHandlerContext, closing: Bool = false
    ) {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
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
}
