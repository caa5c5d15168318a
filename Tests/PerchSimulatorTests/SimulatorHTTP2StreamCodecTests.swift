import Foundation
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import Testing

@testable import PerchSimulator

/// One HTTP/2 stream, frame by frame, as the real push services read and answer it.
@Suite("HTTP/2 streams as the push services speak them")
struct SimulatorHTTP2StreamCodecTests {
    @Test("a request may name its host in `host` instead of `:authority`; one naming neither, or without :scheme, is refused")
    func requestHost() throws {
        let viaHost = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/3/device/ab"), ("host", "api.push.apple.com"),
                                    ("apns-topic", "com.example.app")])
        let head = try #require(SimulatorHTTP2StreamCodec.requestHead(viaHost))
        #expect(head.method == .POST && head.uri == "/3/device/ab")
        #expect(head.headers["host"] == ["api.push.apple.com"] && head.headers["apns-topic"] == ["com.example.app"])
        let viaAuthority = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/x"), (":authority", "push.example:443")])
        #expect(SimulatorHTTP2StreamCodec.requestHead(viaAuthority)?.headers["host"] == ["push.example:443"])
        #expect(SimulatorHTTP2StreamCodec.requestHead(HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/x")])) == nil)
        #expect(SimulatorHTTP2StreamCodec.requestHead(HPACKHeaders([(":method", "POST"), (":path", "/x"), ("host", "h")])) == nil)
    }

    @Test("a request with `host` reaches the handler whole: head, body, end")
    func requestParts() throws {
        let channel = EmbeddedChannel(handler: SimulatorHTTP2StreamCodec())
        let headers = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/3/device/ab"), ("host", "api.push.apple.com")])
        try channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: headers)))
        try channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(string: "{}")), endStream: true)))
        guard case .head(let head)? = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no request head")
            return
        }
        #expect(head.headers["host"] == ["api.push.apple.com"])
        guard case .body(let body)? = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no request body")
            return
        }
        #expect(String(buffer: body) == "{}")
        guard case .end? = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no request end")
            return
        }
        _ = try channel.finish()
    }

    @Test("a 200 without a body is one HEADERS frame that ends the stream: no DATA frame follows")
    func bodylessAnswer() throws {
        let channel = EmbeddedChannel(handler: SimulatorHTTP2StreamCodec())
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http2, status: .ok, headers: HTTPHeaders([("apns-id", "abc")]))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        guard case .headers(let headers)? = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            Issue.record("no HEADERS frame")
            return
        }
        #expect(headers.endStream)
        #expect(headers.headers[":status"] == ["200"] && headers.headers["apns-id"] == ["abc"])
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil, "nothing after the HEADERS frame")
        _ = try channel.finish()
    }

    @Test("an error answer is HEADERS and one DATA frame carrying the whole body and END_STREAM")
    func answerWithABody() throws {
        let channel = EmbeddedChannel(handler: SimulatorHTTP2StreamCodec())
        let reason = #"{"reason":"BadDeviceToken"}"#
        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http2, status: .badRequest,
                                                                                 headers: HTTPHeaders([("apns-id", "abc"), ("connection", "close")]))))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: String(reason.prefix(10))))))
        try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: String(reason.dropFirst(10))))))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        guard case .headers(let headers)? = try channel.readOutbound(as: HTTP2Frame.FramePayload.self) else {
            Issue.record("no HEADERS frame")
            return
        }
        #expect(!headers.endStream && headers.headers[":status"] == ["400"])
        #expect(headers.headers["connection"].isEmpty, "no HTTP/1.1 connection header in HTTP/2")
        guard case .data(let data)? = try channel.readOutbound(as: HTTP2Frame.FramePayload.self), case .byteBuffer(let body) = data.data else {
            Issue.record("no DATA frame")
            return
        }
        #expect(data.endStream && String(buffer: body) == reason)
        #expect(try channel.readOutbound(as: HTTP2Frame.FramePayload.self) == nil, "one DATA frame")
        _ = try channel.finish()
    }
}
