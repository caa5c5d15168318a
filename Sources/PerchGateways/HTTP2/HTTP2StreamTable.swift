import Foundation
import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

/// The requests one HTTP/2 connection has in flight, as a pure state machine: each event (a request to open, a
/// frame read, a GOAWAY, a tick of the clock, the connection's end) returns what the channel handler must do.
///
/// `Waiter` is whoever waits for an answer (an `EventLoopPromise` in the handler, a number in tests).
struct HTTP2StreamTable<Waiter> {
    /// What the handler does next.
    enum Action {
        /// Write this request's frames on the new stream.
        case write(HTTP2StreamID)
        /// Hand the answer over.
        case answer(Waiter, GatewayResponse)
        /// Hand the failure over.
        case fail(Waiter, HTTP2StreamFailure)
        /// Hand the failure over and reset the stream, so the peer stops working on it.
        case failAndReset(Waiter, HTTP2StreamFailure, HTTP2StreamID)
        /// Give the peer back this much connection-level receive window.
        case acknowledge(Int)
    }

    struct Stream {
        var waiter: Waiter
        var deadline: NIODeadline
        var status: Int?
        var headers = HTTPHeaders()
        var body: ByteBuffer?
    }

    /// Once this much DATA is read, the connection window is given back (a quarter of the default 64 KiB).
    static var acknowledgementThreshold: Int { 16 * 1024 }
    /// The last client stream ID HTTP/2 allows (2³¹ − 1).
    static var lastStreamID: Int { Int(Int32.max) }

    private(set) var streams: [HTTP2StreamID: Stream] = [:]
    private var nextStreamID = 1
    private var unacknowledgedBytes = 0
    /// Set by GOAWAY or by running out of stream IDs: no new stream opens here.
    private(set) var isDraining = false
    private let maximumResponseBytes: Int

    init(maximumResponseBytes: Int) {
        self.maximumResponseBytes = maximumResponseBytes
    }

    /// Streams open now.
    var count: Int { streams.count }

    /// Opens the next stream for a request, or refuses it (unsent, so safe to send elsewhere) on a draining connection.
    mutating func open(_ waiter: Waiter, deadline: NIODeadline) -> Action {
        guard !isDraining, nextStreamID <= Self.lastStreamID else {
            isDraining = true
            return .fail(waiter, .unprocessed)
        }
        let id = HTTP2StreamID(nextStreamID)
        nextStreamID += 2
        streams[id] = Stream(waiter: waiter, deadline: deadline)
        return .write(id)
    }

    /// A HEADERS frame: the answer's head (a 1xx head is skipped), or its trailers.
    mutating func receivedHeaders(_ headers: HPACKHeaders, endStream: Bool, on id: HTTP2StreamID) -> Action? {
        guard var stream = streams[id] else { return nil }
        if stream.status == nil {
            guard let status = headers.first(name: ":status").flatMap(Int.init) else {
                streams[id] = nil
                return .failAndReset(stream.waiter, .protocolViolation("HEADERS without :status"), id)
            }
            if (100..<200).contains(status) { return nil }
            stream.status = status
        }
        for (name, value, _) in headers where !name.hasPrefix(":") {
            stream.headers.add(name: name, value: value)
        }
        streams[id] = stream
        return endStream ? finish(id) : nil
    }

    /// A DATA frame: its bytes join the body (up to the limit) and count toward the connection window.
    mutating func receivedData(_ data: ByteBuffer, flowControlledLength: Int, endStream: Bool, on id: HTTP2StreamID) -> [Action] {
        var actions: [Action] = []
        unacknowledgedBytes += flowControlledLength
        if unacknowledgedBytes >= Self.acknowledgementThreshold {
            actions.append(.acknowledge(unacknowledgedBytes))
            unacknowledgedBytes = 0
        }
        guard var stream = streams[id] else { return actions }
        guard stream.status != nil else {
            streams[id] = nil
            actions.append(.failAndReset(stream.waiter, .protocolViolation("DATA before HEADERS"), id))
            return actions
        }
        var data = data
        if stream.body == nil {
            stream.body = data
        } else {
            stream.body!.writeBuffer(&data)
        }
        if stream.body!.readableBytes > maximumResponseBytes {
            streams[id] = nil
            actions.append(.failAndReset(stream.waiter, .protocolViolation("answer larger than \(maximumResponseBytes) bytes"), id))
            return actions
        }
        streams[id] = stream
        if endStream, let finished = finish(id) { actions.append(finished) }
        return actions
    }

    /// RST_STREAM from the peer. REFUSED_STREAM means the request was not processed (RFC 9113 §8.7).
    mutating func receivedReset(_ code: HTTP2ErrorCode, on id: HTTP2StreamID) -> Action? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        return .fail(stream.waiter, code == .refusedStream ? .unprocessed : .reset(code))
    }

    /// GOAWAY: streams above `lastStreamID` were not processed and may be sent again elsewhere; the rest finish here.
    mutating func receivedGoAway(lastStreamID: HTTP2StreamID) -> [Action] {
        isDraining = true
        let unprocessed = streams.keys.filter { $0 > lastStreamID }
        return unprocessed.sorted().map { id in .fail(streams.removeValue(forKey: id)!.waiter, .unprocessed) }
    }

    /// A stream the HTTP/2 layer rejected (a frame it would not send or accept).
    mutating func streamError(on id: HTTP2StreamID, _ description: String) -> Action? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        return .failAndReset(stream.waiter, .protocolViolation(description), id)
    }

    /// Streams whose deadline has passed fail with a timeout and are reset.
    mutating func expire(now: NIODeadline) -> [Action] {
        let expired = streams.filter { $0.value.deadline <= now }.keys.sorted()
        return expired.map { id in .failAndReset(streams.removeValue(forKey: id)!.waiter, .timeout, id) }
    }

    /// The connection ended: nothing more arrives for any stream. A stream may have been processed, so its
    /// failure is not `unprocessed`.
    mutating func closed() -> [Action] {
        isDraining = true
        let open = streams.keys.sorted()
        defer { streams = [:] }
        return open.map { id in .fail(streams[id]!.waiter, .connectionLost) }
    }

    private mutating func finish(_ id: HTTP2StreamID) -> Action? {
        guard let stream = streams.removeValue(forKey: id), let status = stream.status else { return nil }
        let body = stream.body.map { Data($0.readableBytesView) } ?? Data()
        return .answer(stream.waiter, GatewayResponse(status: status, headers: stream.headers, body: body))
    }
}
