import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOSSL
import NIOTLS

/// The last handler of a gateway connection's pipeline, after `NIOHTTP2Handler`: it writes each request as a
/// HEADERS and a DATA frame on a new stream and reads the answers frame by frame, with no channel per stream.
/// Writes made in one turn of the event loop go out with one flush. Its bookkeeping is ``HTTP2StreamTable``;
/// this type only carries out the table's actions.
final class HTTP2ClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = Never
    typealias OutboundIn = Never
    typealias OutboundOut = HTTP2Frame

    typealias Answer = EventLoopPromise<GatewayResponse>

    /// How often deadlines and idleness are checked.
    static let tick = TimeAmount.milliseconds(100)

    private var table: HTTP2StreamTable<Answer>
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    private var ticker: Scheduled<Void>?
    private var idleSince = NIODeadline.now()
    private let idleTimeout: TimeAmount
    private let load: HTTP2ConnectionLoad
    /// Completed once TLS is up with HTTP/2 agreed (or no protocol, as APNs allows) and the peer's first SETTINGS
    /// (its stream limit) have arrived; failed if the connection ends first.
    let ready: EventLoopPromise<Void>

    init(load: HTTP2ConnectionLoad, ready: EventLoopPromise<Void>, idleTimeout: TimeAmount, maximumResponseBytes: Int) {
        self.load = load
        self.ready = ready
        self.idleTimeout = idleTimeout
        self.table = HTTP2StreamTable(maximumResponseBytes: maximumResponseBytes)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        scheduleTick(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        ticker?.cancel()
        self.context = nil
    }

    /// Sends one request on a new stream; `answer` completes with the answer or an ``HTTP2StreamFailure``.
    func submit(_ request: HTTP2Request, answer: Answer) {
        guard let context else {
            answer.fail(HTTP2StreamFailure.unprocessed)
            return
        }
        switch table.open(answer, deadline: request.deadline) {
        case .write(let id):
            let head = HTTP2Frame.FramePayload.Headers(headers: request.headers, endStream: request.body == nil)
            context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .headers(head))), promise: nil)
            if let body = request.body {
                let data = HTTP2Frame.FramePayload.Data(data: .byteBuffer(body), endStream: true)
                context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .data(data))), promise: nil)
            }
            scheduleFlush(context)
        case let action:
            perform([action], context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.payload {
        case .headers(let headers):
            perform(table.receivedHeaders(headers.headers, endStream: headers.endStream, on: frame.streamID), context: context)
        case .data(let payload):
            guard case .byteBuffer(let bytes) = payload.data else { return }
            let length = bytes.readableBytes + (payload.paddingBytes.map { $0 + 1 } ?? 0)
            perform(
                table.receivedData(bytes, flowControlledLength: length, endStream: payload.endStream, on: frame.streamID),
                context: context)
        case .rstStream(let code):
            perform(table.receivedReset(code, on: frame.streamID), context: context)
        case .goAway(let lastStreamID, _, _):
            load.stopAccepting()
            perform(table.receivedGoAway(lastStreamID: lastStreamID), context: context)
            closeIfDrained(context)
        case .settings(.settings(let settings)):
            for setting in settings where setting.parameter == .maxConcurrentStreams {
                load.setMaximumStreams(setting.value)
            }
            ready.succeed()
        default:
            break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let negotiated) = event as? TLSUserEvent {
            if negotiated != nil && negotiated != "h2" {
                ready.fail(HTTP2StreamFailure.connectFailed("the server does not speak HTTP/2"))
                context.close(promise: nil)
            }
        }
        // A stream the HTTP/2 layer closed with an error (it has sent RST_STREAM): its answer will not come.
        if let closed = event as? StreamClosedEvent, let reason = closed.reason {
            perform(table.receivedReset(reason, on: closed.streamID), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let streamError = error as? NIOHTTP2Errors.StreamError {
            perform(table.streamError(on: streamError.streamID, String(describing: type(of: streamError.baseError))), context: context)
            return
        }
        // A connection error (TLS, or HTTP/2, after which NIOHTTP2Handler has sent GOAWAY): close, and the streams
        // fail as the channel goes.
        ready.fail(HTTP2StreamFailure.connectFailed(String(describing: type(of: error))))
        load.stopAccepting()
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended()
        context.fireChannelInactive()
    }

    /// The connection is gone (inactive, or this handler removed; whichever comes first does the work): it takes no
    /// more streams, and every open one fails.
    private func ended() {
        ready.fail(HTTP2StreamFailure.connectFailed("connection closed"))
        load.stopAccepting()
        perform(table.closed(), context: nil)
    }

    private func perform(_ action: HTTP2StreamTable<Answer>.Action?, context: ChannelHandlerContext?) {
        if let action { perform([action], context: context) }
    }

    private func perform(_ actions: [HTTP2StreamTable<Answer>.Action], context: ChannelHandlerContext?) {
        for action in actions {
            switch action {
            case .write:
                preconditionFailure("a stream opens only in submit")
            case .answer(let answer, let response):
                answer.succeed(response)
            case .fail(let answer, let failure):
                answer.fail(failure)
            case .failAndReset(let answer, let failure, let id):
                answer.fail(failure)
                if let context {
                    context.write(wrapOutboundOut(HTTP2Frame(streamID: id, payload: .rstStream(.cancel))), promise: nil)
                    scheduleFlush(context)
                }
            case .acknowledge(let bytes):
                if let context {
                    context.write(wrapOutboundOut(HTTP2Frame(streamID: .rootStream, payload: .windowUpdate(windowSizeIncrement: bytes))), promise: nil)
                    scheduleFlush(context)
                }
            }
        }
    }

    private func scheduleFlush(_ context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    private func scheduleTick(_ context: ChannelHandlerContext) {
        ticker = context.eventLoop.assumeIsolated().scheduleTask(in: Self.tick) {
            let now = NIODeadline.now()
            self.perform(self.table.expire(now: now), context: context)
            if self.table.count > 0 {
                self.idleSince = now
            } else if now - self.idleSince >= self.idleTimeout {
                self.load.stopAccepting()
            }
            self.closeIfDrained(context)
            if self.context != nil { self.scheduleTick(context) }
        }
    }

    /// A connection that takes no new streams closes once its last answer is in.
    private func closeIfDrained(_ context: ChannelHandlerContext) {
        if !load.isAccepting, table.count == 0, self.context != nil {
            context.close(promise: nil)
        }
    }
}
