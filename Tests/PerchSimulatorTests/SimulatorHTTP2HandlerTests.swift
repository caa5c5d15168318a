import Foundation
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import Synchronization
import Testing

@testable import PerchSimulator

/// An HTTP/2 connection, frame by frame, as the real push services read and answer it.
@Suite("HTTP/2 as the push services speak it")
struct SimulatorHTTP2HandlerTests {
    /// The requests the simulator was asked about, and the handler under test answering each with `action`.
    final class Recorder: Sendable {
        let requests = Mutex<[SimulatorRequest]>([])
        func handler(_ action: @escaping @Sendable (SimulatorRequest) -> SimulatorAction) -> SimulatorHTTP2Handler {
            SimulatorHTTP2Handler(listener: .apnsProduction) { request, _ in
                self.requests.withLock { $0.append(request) }
                return action(request)
            }
        }
    }

    static let apnsRequest = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/3/device/ab"), ("host", "api.push.apple.com")])

    @Test("a request may name its host in `host` instead of `:authority`; one naming neither, or without :scheme, is refused")
    func requestHost() throws {
        let viaHost = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/3/device/ab"), ("host", "api.push.apple.com"),
                                    ("apns-topic", "com.example.app")])
        let head = try #require(SimulatorHTTP2Headers.requestHead(viaHost))
        #expect(head.method == .POST && head.uri == "/3/device/ab")
        #expect(head.headers["host"] == ["api.push.apple.com"] && head.headers["apns-topic"] == ["com.example.app"])
        let viaAuthority = HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/x"), (":authority", "push.example:443")])
        #expect(SimulatorHTTP2Headers.requestHead(viaAuthority)?.headers["host"] == ["push.example:443"])
        #expect(SimulatorHTTP2Headers.requestHead(HPACKHeaders([(":method", "POST"), (":scheme", "https"), (":path", "/x")])) == nil)
        #expect(SimulatorHTTP2Headers.requestHead(HPACKHeaders([(":method", "POST"), (":path", "/x"), ("host", "h")])) == nil)
    }

    @Test("a request with `host` reaches the simulator whole, and a 200 without a body is one HEADERS frame that ends its stream")
    func bodylessAnswer() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: recorder.handler { _ in .respond(SimulatorResponse(status: 200, headers: [("apns-id", "abc")]), delay: .zero) })
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: Self.apnsRequest))))
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: "{")), endStream: false))))
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: "}")), endStream: true))))
        let request = try #require(recorder.requests.withLock { $0.first })
        channel.embeddedEventLoop.run()  // frames written in one turn of the loop are flushed at its end
        #expect(request.header("host") == "api.push.apple.com" && request.path == "/3/device/ab" && request.body == Data("{}".utf8))

        let frame = try #require(try channel.readOutbound(as: HTTP2Frame.self))
        guard case .headers(let headers) = frame.payload else {
            Issue.record("no HEADERS frame: \(frame)")
            return
        }
        #expect(frame.streamID == 1 && headers.endStream)
        #expect(headers.headers[":status"] == ["200"] && headers.headers["apns-id"] == ["abc"] && headers.headers["content-length"].isEmpty)
        #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "nothing after the HEADERS frame")
        _ = try channel.finish()
    }

    @Test("an error answer is HEADERS and one DATA frame carrying the whole body and END_STREAM, without HTTP/1.1's headers")
    func answerWithABody() throws {
        let reason = #"{"reason":"BadDeviceToken"}"#
        let channel = EmbeddedChannel(handler: Recorder().handler { _ in
            .respond(SimulatorResponse(status: 400, headers: [("apns-id", "abc"), ("Connection", "close")], body: Data(reason.utf8)), delay: .zero)
        })
        try channel.writeInbound(HTTP2Frame(streamID: 3, payload: .headers(.init(headers: Self.apnsRequest, endStream: true))))
        channel.embeddedEventLoop.run()
        let first = try #require(try channel.readOutbound(as: HTTP2Frame.self))
        guard case .headers(let headers) = first.payload else {
            Issue.record("no HEADERS frame: \(first)")
            return
        }
        #expect(first.streamID == 3 && !headers.endStream && headers.headers[":status"] == ["400"])
        #expect(headers.headers["connection"].isEmpty, "no HTTP/1.1 connection header in HTTP/2")
        #expect(headers.headers["content-length"] == ["\(reason.utf8.count)"])
        let second = try #require(try channel.readOutbound(as: HTTP2Frame.self))
        guard case .data(let data) = second.payload, case .byteBuffer(let body) = data.data else {
            Issue.record("no DATA frame: \(second)")
            return
        }
        #expect(second.streamID == 3 && data.endStream && String(buffer: body) == reason)
        #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "one DATA frame")
        _ = try channel.finish()
    }

    @Test("streams answer on their own ids, in the order their answers are ready; a stream the client reset gets none")
    func streamsApart() throws {
        let channel = EmbeddedChannel(handler: Recorder().handler { request in
            .respond(SimulatorResponse(status: 200, headers: [("apns-id", request.path)]),
                     delay: request.path == "/slow" ? .seconds(2) : .seconds(1))
        })
        func request(_ path: String, on id: HTTP2StreamID) throws {
            var headers = Self.apnsRequest
            headers.replaceOrAdd(name: ":path", value: path)
            try channel.writeInbound(HTTP2Frame(streamID: id, payload: .headers(.init(headers: headers, endStream: true))))
        }
        try request("/slow", on: 1)
        try request("/fast", on: 3)
        try request("/gone", on: 5)
        try channel.writeInbound(HTTP2Frame(streamID: 5, payload: .rstStream(.cancel)))
        #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "nothing before the latency")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let fast = try #require(try channel.readOutbound(as: HTTP2Frame.self))
        #expect(fast.streamID == 3)
        #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "the reset stream is not answered")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let slow = try #require(try channel.readOutbound(as: HTTP2Frame.self))
        guard case .headers(let headers) = slow.payload else {
            Issue.record("no HEADERS frame: \(slow)")
            return
        }
        #expect(slow.streamID == 1 && headers.headers["apns-id"] == ["/slow"])
        _ = try channel.finish()
    }

    @Test("received bytes are acknowledged with WINDOW_UPDATE, on the connection and on a stream whose request goes on")
    func flowControl() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: recorder.handler { _ in .stall })
        let chunk = String(repeating: "x", count: SimulatorHTTP2Handler.acknowledgeEvery / 2)
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: Self.apnsRequest))))
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: chunk))))))
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: HTTP2Frame.self) == nil, "half the threshold owes nothing yet")
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: chunk))))))
        channel.embeddedEventLoop.run()
        var updates: [HTTP2StreamID: Int] = [:]
        while let frame = try channel.readOutbound(as: HTTP2Frame.self) {
            guard case .windowUpdate(let increment) = frame.payload else {
                Issue.record("not a WINDOW_UPDATE: \(frame)")
                continue
            }
            updates[frame.streamID, default: 0] += increment
        }
        #expect(updates == [.rootStream: SimulatorHTTP2Handler.acknowledgeEvery, 1: SimulatorHTTP2Handler.acknowledgeEvery])
        try channel.writeInbound(HTTP2Frame(streamID: 1, payload: .data(.init(data: .byteBuffer(ByteBuffer(string: chunk)), endStream: true))))
        #expect(recorder.requests.withLock { $0.first?.body.count } == 3 * chunk.utf8.count, "the whole body reached the simulator")
        _ = try channel.finish()
    }
}
