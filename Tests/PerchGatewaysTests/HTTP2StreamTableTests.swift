import NIOCore
import NIOHPACK
import NIOHTTP2
import Testing

@testable import PerchGateways

/// The bookkeeping of one HTTP/2 connection's requests, without a network: which stream each request gets, when an
/// answer is complete, which failures may be sent again, and when the connection window is given back.
@Suite("HTTP/2 stream table")
struct HTTP2StreamTableTests {
    typealias Table = HTTP2StreamTable<Int>
    let later = NIODeadline.now() + .seconds(60)

    func answer(_ status: Int, _ headers: [(String, String)] = []) -> HPACKHeaders {
        HPACKHeaders([(":status", String(status))] + headers)
    }

    func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("requests get the odd stream IDs in order")
    func streamIDs() {
        var table = Table(maximumResponseBytes: 1024)
        let ids = (0..<3).map { waiter -> Int? in
            if case .write(let id) = table.open(waiter, deadline: later) { return Int(id) } else { return nil }
        }
        #expect(ids == [1, 3, 5])
        #expect(table.count == 3)
    }

    @Test("a HEADERS frame that ends the stream is the whole answer; its pseudo-headers are not kept")
    func headersOnly() {
        var table = Table(maximumResponseBytes: 1024)
        _ = table.open(7, deadline: later)
        guard case .answer(let waiter, let response)? = table.receivedHeaders(
            answer(200, [("apns-id", "abc")]), endStream: true, on: 1)
        else { Issue.record("expected an answer"); return }
        #expect(waiter == 7)
        #expect(response.status == 200 && response.header("apns-id") == "abc" && response.body.isEmpty)
        #expect(response.header(":status") == nil)
        #expect(table.count == 0)
    }

    @Test("DATA frames make the body; the answer completes with the frame that ends the stream")
    func body() {
        var table = Table(maximumResponseBytes: 1024)
        _ = table.open(1, deadline: later)
        #expect(table.receivedHeaders(answer(400), endStream: false, on: 1) == nil)
        #expect(table.receivedData(bytes("{\"reason\":"), flowControlledLength: 10, endStream: false, on: 1).isEmpty)
        let actions = table.receivedData(bytes("\"BadDeviceToken\"}"), flowControlledLength: 17, endStream: true, on: 1)
        guard case .answer(_, let response)? = actions.first, actions.count == 1 else {
            Issue.record("expected one answer, got \(actions)"); return
        }
        #expect(response.status == 400)
        #expect(String(decoding: response.body, as: UTF8.self) == "{\"reason\":\"BadDeviceToken\"}")
    }

    @Test("an informational (1xx) head is skipped; the final head is the answer's")
    func informational() {
        var table = Table(maximumResponseBytes: 1024)
        _ = table.open(1, deadline: later)
        #expect(table.receivedHeaders(answer(100), endStream: false, on: 1) == nil)
        guard case .answer(_, let response)? = table.receivedHeaders(answer(200), endStream: true, on: 1) else {
            Issue.record("expected an answer"); return
        }
        #expect(response.status == 200)
    }

    @Test("an answer larger than the limit fails and its stream is reset")
    func tooLarge() {
        var table = Table(maximumResponseBytes: 8)
        _ = table.open(1, deadline: later)
        _ = table.receivedHeaders(answer(200), endStream: false, on: 1)
        let actions = table.receivedData(bytes("0123456789"), flowControlledLength: 10, endStream: false, on: 1)
        guard case .failAndReset(1, .protocolViolation, 1)? = actions.last else { Issue.record("got \(actions)"); return }
        #expect(table.count == 0)
    }

    @Test("the connection window is given back once a quarter of it has been read, counting every stream")
    func acknowledgement() {
        var table = Table(maximumResponseBytes: 1 << 20)
        for waiter in 0..<3 { _ = table.open(waiter, deadline: later) }
        for id in [1, 3, 5] { _ = table.receivedHeaders(answer(200), endStream: false, on: HTTP2StreamID(id)) }
        let chunk = ByteBuffer(repeating: 0, count: 6 * 1024)
        #expect(table.receivedData(chunk, flowControlledLength: 6 * 1024, endStream: false, on: 1).isEmpty)
        #expect(table.receivedData(chunk, flowControlledLength: 6 * 1024, endStream: false, on: 3).isEmpty)
        let actions = table.receivedData(chunk, flowControlledLength: 6 * 1024, endStream: false, on: 5)
        guard case .acknowledge(let increment)? = actions.first else { Issue.record("got \(actions)"); return }
        #expect(increment == 18 * 1024)
        // Data for a stream already gone still counts toward the window.
        _ = table.expire(now: later + .seconds(1))
        #expect(table.receivedData(chunk, flowControlledLength: 6 * 1024, endStream: false, on: 1).isEmpty)
    }

    @Test("REFUSED_STREAM means unprocessed (send again); any other reset is a failure that may have been processed")
    func resets() {
        var table = Table(maximumResponseBytes: 1024)
        _ = table.open(1, deadline: later)
        _ = table.open(2, deadline: later)
        guard case .fail(1, .unprocessed)? = table.receivedReset(.refusedStream, on: 1) else { Issue.record("1"); return }
        guard case .fail(2, .reset(.internalError))? = table.receivedReset(.internalError, on: 3) else { Issue.record("2"); return }
        #expect(table.receivedReset(.cancel, on: 3) == nil)
    }

    @Test("GOAWAY fails the streams above its last stream as unprocessed, lets the rest finish, and opens no more")
    func goAway() {
        var table = Table(maximumResponseBytes: 1024)
        for waiter in 0..<4 { _ = table.open(waiter, deadline: later) }  // streams 1, 3, 5, 7
        let actions = table.receivedGoAway(lastStreamID: 3)
        let refused = actions.compactMap { action -> Int? in
            if case .fail(let waiter, .unprocessed) = action { waiter } else { nil }
        }
        #expect(refused == [2, 3])
        #expect(table.count == 2 && table.isDraining)
        guard case .answer(0, _)? = table.receivedHeaders(answer(200), endStream: true, on: 1) else { Issue.record("1"); return }
        guard case .fail(9, .unprocessed) = table.open(9, deadline: later) else { Issue.record("open"); return }
    }

    @Test("past its deadline a request fails with a timeout and its stream is reset; later ones wait on")
    func deadlines() {
        var table = Table(maximumResponseBytes: 1024)
        let now = NIODeadline.now()
        _ = table.open(1, deadline: now + .seconds(1))
        _ = table.open(2, deadline: now + .seconds(5))
        let actions = table.expire(now: now + .seconds(2))
        guard case .failAndReset(1, .timeout, 1)? = actions.first, actions.count == 1 else { Issue.record("got \(actions)"); return }
        #expect(table.count == 1)
    }

    @Test("when the connection ends, every open request fails as lost (it may have been processed)")
    func closed() {
        var table = Table(maximumResponseBytes: 1024)
        _ = table.open(1, deadline: later)
        _ = table.open(2, deadline: later)
        let failed = table.closed().compactMap { action -> Int? in
            if case .fail(let waiter, .connectionLost) = action { waiter } else { nil }
        }
        #expect(failed == [1, 2])
        guard case .fail(3, .unprocessed) = table.open(3, deadline: later) else { Issue.record("open"); return }
    }
}
