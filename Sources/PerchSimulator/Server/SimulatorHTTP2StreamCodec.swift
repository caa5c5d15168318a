import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

/// One HTTP/2 stream as the real push services speak it, in the request parts `SimulatorRequestHandler` reads.
///
/// NIO's own HTTP/2-to-HTTP/1 codec is stricter and chattier than APNs, FCM and the Web Push services, and clients
/// notice both: it resets a request that names its host in `host` instead of `:authority` (RFC 9113 §8.3.1 allows
/// either, APNs accepts both, and aioapns sends `host`), and it ends every answer with a DATA frame of its own — an
/// empty one after a 200, which APNs never sends and which breaks aioapns's response parsing. Here an answer is what
/// the services send: one HEADERS frame that ends the stream when there is no body, else HEADERS and one DATA frame
/// carrying the whole body and END_STREAM.
final class SimulatorHTTP2StreamCodec: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTP2Frame.FramePayload

    /// Headers that belong to an HTTP/1.1 connection and are malformed in HTTP/2 (RFC 9113 §8.2.2).
    static let connectionHeaders: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    private var requestStarted = false
    private var requestEnded = false
    private var responseHead: HTTPResponseHead?
    private var responseBody: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !requestEnded else { return }
        switch unwrapInboundIn(data) {
        case .headers(let frame):
            if requestStarted {
                // Trailers end the request; the services ignore them.
                requestEnded = true
                context.fireChannelRead(wrapInboundOut(.end(nil)))
                return
            }
            guard let head = Self.requestHead(frame.headers) else {
                requestEnded = true
                context.writeAndFlush(wrapOutboundOut(.rstStream(.protocolError)), promise: nil)
                return
            }
            requestStarted = true
            context.fireChannelRead(wrapInboundOut(.head(head)))
            if frame.endStream {
                requestEnded = true
                context.fireChannelRead(wrapInboundOut(.end(nil)))
            }
        case .data(let frame):
            guard requestStarted, case .byteBuffer(let buffer) = frame.data else { return }
            if buffer.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(.body(buffer))) }
            if frame.endStream {
                requestEnded = true
                context.fireChannelRead(wrapInboundOut(.end(nil)))
            }
        default:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            responseHead = head
            promise?.succeed(())
        case .body(.byteBuffer(var chunk)):
            if responseBody == nil { responseBody = chunk } else { responseBody!.writeBuffer(&chunk) }
            promise?.succeed(())
        case .body(.fileRegion):
            promise?.fail(ChannelError.operationUnsupported)
        case .end(let trailers):
            guard let head = responseHead else {
                promise?.fail(ChannelError.inappropriateOperationForState)
                return
            }
            responseHead = nil
            let body = responseBody.flatMap { $0.readableBytes > 0 ? $0 : nil }
            responseBody = nil
            let hasTrailers = !(trailers?.isEmpty ?? true)
            let headersEnd = body == nil && !hasTrailers
            context.write(wrapOutboundOut(.headers(.init(headers: Self.responseHeaders(head), endStream: headersEnd))),
                          promise: headersEnd ? promise : nil)
            if let body {
                context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(body), endStream: !hasTrailers))),
                              promise: hasTrailers ? nil : promise)
            }
            if let trailers, hasTrailers {
                context.write(wrapOutboundOut(.headers(.init(headers: Self.regularHeaders(trailers), endStream: true))), promise: promise)
            }
        }
    }

    /// The request as the handler reads it, or nil for a request no HTTP/2 server may accept: without `:method`,
    /// `:path` or `:scheme`, or naming its host in neither `:authority` nor `host`.
    static func requestHead(_ headers: HPACKHeaders) -> HTTPRequestHead? {
        var method: String?, path: String?, scheme: String?, authority: String?
        var regular = HTTPHeaders()
        for (name, value, _) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":scheme": scheme = value
            case ":authority": authority = value
            default:
                if name.hasPrefix(":") { return nil }
                regular.add(name: name, value: value)
            }
        }
        guard let method, let path, scheme != nil, !path.isEmpty else { return nil }
        if let authority {
            if !regular.contains(name: "host") { regular.add(name: "host", value: authority) }
        } else if !regular.contains(name: "host") {
            return nil
        }
        return HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: path, headers: regular)
    }

    static func responseHeaders(_ head: HTTPResponseHead) -> HPACKHeaders {
        var headers = HPACKHeaders()
        headers.add(name: ":status", value: String(head.status.code))
        for (name, value) in head.headers where !connectionHeaders.contains(name.lowercased()) {
            headers.add(name: name.lowercased(), value: value)
        }
        return headers
    }

    static func regularHeaders(_ fields: HTTPHeaders) -> HPACKHeaders {
        var headers = HPACKHeaders()
        for (name, value) in fields where !connectionHeaders.contains(name.lowercased()) {
            headers.add(name: name.lowercased(), value: value)
        }
        return headers
    }
}
