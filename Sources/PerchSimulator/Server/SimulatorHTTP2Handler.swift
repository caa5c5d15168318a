import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

/// An HTTP/2 connection as the real push services speak it, frame by frame on the connection itself: each stream's
/// request gathered from its HEADERS and DATA frames, asked of the simulator once it ends, and answered on the stream.
///
/// No channel per stream: NIO's stream multiplexer built, activated and tore down a child channel and its pipeline for
/// every request, about two fifths of a simulator's CPU per push (profiled, bench/campaign/README.md, session 38).
///
/// What clients notice is kept from the services: a request may name its host in `host` instead of `:authority` (RFC
/// 9113 §8.3.1 allows either, APNs accepts both, and aioapns sends `host`), and an answer is one HEADERS frame that ends
/// the stream when there is no body, else HEADERS and one DATA frame carrying the whole body and END_STREAM — never an
/// empty DATA frame after a 200, which APNs does not send and which breaks aioapns's response parsing.
final class SimulatorHTTP2Handler: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    /// Received bytes acknowledged (WINDOW_UPDATE) once this many are owed, on the connection and on a stream whose
    /// request goes on: half the default window, so a client never waits for one.
    static let acknowledgeEvery = 1 << 15

    /// A stream's request as it arrives.
    private struct Arriving {
        var head: HTTPRequestHead
        var body: ByteBuffer?
        var unacknowledged = 0
    }

    private let listener: SimulatorListener
    private let route: @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction
    private var arriving: [HTTP2StreamID: Arriving] = [:]
    /// Streams whose request is in and whose answer is owed (a stalled one stays until the client resets it).
    private var owed: Set<HTTP2StreamID> = []
    private var unacknowledged = 0
    private var flushScheduled = false

    init(listener: SimulatorListener, route: @escaping @Sendable (SimulatorRequest, SimulatorListener) -> SimulatorAction) {
        self.listener = listener
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        let id = frame.streamID
        switch frame.payload {
        case .headers(let headers):
            if arriving[id] != nil {
                // Trailers end the request; the services ignore them.
                requestEnded(id, context: context)
                return
            }
            guard !owed.contains(id) else { return }
            guard let head = SimulatorHTTP2Headers.requestHead(headers.headers) else {
                context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.protocolError))), promise: nil)
                scheduleFlush(context)
                return
            }
            arriving[id] = Arriving(head: head)
            if headers.endStream { requestEnded(id, context: context) }
        case .data(let payload):
            guard case .byteBuffer(var bytes) = payload.data else { return }
            acknowledge(bytes.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0), on: id, endStream: payload.endStream,
                        context: context)
            guard var request = arriving[id] else { return }
            if request.body == nil {
                request.body = bytes
            } else if request.body!.readableBytes < SimulatorRequestHandler.maximumBufferedBody {
                request.body!.writeBuffer(&bytes)
            }
            arriving[id] = request
            if payload.endStream { requestEnded(id, context: context) }
        case .rstStream:
            forget(id)
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let closed = event as? StreamClosedEvent { forget(closed.streamID) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A stream error has reset its stream (NIO sent RST_STREAM); anything else ends the connection.
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            forget(streamError.streamID)
            return
        }
        context.close(promise: nil)
    }

    private func forget(_ id: HTTP2StreamID) {
        arriving[id] = nil
        owed.remove(id)
    }

    /// Owes the client a WINDOW_UPDATE for `length` received bytes: on the connection, and on the stream while its
    /// request goes on.
    private func acknowledge(_ length: Int, on id: HTTP2StreamID, endStream: Bool, context: ChannelHandlerContext) {
        guard length > 0 else { return }
        unacknowledged += length
        if unacknowledged >= Self.acknowledgeEvery {
            context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: unacknowledged))),
                          promise: nil)
            unacknowledged = 0
            scheduleFlush(context)
        }
        guard !endStream, var request = arriving[id] else { return }
        request.unacknowledged += length
        if request.unacknowledged >= Self.acknowledgeEvery {
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: request.unacknowledged))),
                          promise: nil)
            request.unacknowledged = 0
            scheduleFlush(context)
        }
        arriving[id] = request
    }

    private func requestEnded(_ id: HTTP2StreamID, context: ChannelHandlerContext) {
        guard let request = arriving.removeValue(forKey: id) else { return }
        owed.insert(id)
        switch route(SimulatorRequest(request.head, body: request.body), listener) {
        case .stall:
            return
        case .respond(let response, let delay):
            SimulatorConnection.after(delay, on: context.eventLoop) { self.answer(response, on: id, context: context) }
        case .reset(let delay):
            SimulatorConnection.after(delay, on: context.eventLoop) { SimulatorConnection.reset(context.channel) }
        case .respondThenGoAway(let response, let delay):
            SimulatorConnection.after(delay, on: context.eventLoop) {
                self.answer(response, on: id, context: context)
                self.goAway(lastStreamID: id, context: context)
            }
        }
    }

    /// Answers on the stream, unless the client has reset it meanwhile.
    private func answer(_ response: SimulatorResponse, on id: HTTP2StreamID, context: ChannelHandlerContext) {
        guard owed.remove(id) != nil else { return }
        let headers = SimulatorHTTP2Headers.responseHeaders(response)
        context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers, endStream: response.body.isEmpty)))),
                      promise: nil)
        if !response.body.isEmpty {
            let body = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(body), endStream: true)))),
                          promise: nil)
        }
        scheduleFlush(context)
    }

    /// How long a connection stays open after GOAWAY so answers in flight reach the client.
    static let goAwayGracePeriod = TimeAmount.milliseconds(500)

    /// Sends GOAWAY (NO_ERROR, the last stream this one), then closes the connection after a grace period.
    private func goAway(lastStreamID: HTTP2StreamID, context: ChannelHandlerContext) {
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(
            lastStreamID: lastStreamID, errorCode: .noError, opaqueData: context.channel.allocator.buffer(string: #"{"reason":"Shutdown"}"#)))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.goAwayGracePeriod) { channel.close(promise: nil) }
    }

    /// Frames written in one turn of the event loop leave in one flush.
    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }
}
