import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A loopback HTTP/1.1 listener in front of a real `perch serve` that misbehaves on purpose:
/// request by request it drops the connection, answers a status of its choosing, or forwards
/// the request to Perch and relays the real answer.
final class FlakyListener: Sendable {
    enum Step: Sendable {
        /// Closes the connection without answering.
        case drop
        /// Answers `status` with an optional `Retry-After` and a JSON body.
        case answer(status: Int, retryAfter: String?, body: String)
        /// Forwards to the upstream server.
        case forward
    }

    /// One request as it arrived.
    struct Arrival: Sendable {
        var at: ContinuousClock.Instant
        var method: String
        var path: String
    }

    let upstream: URL?
    private let steps: Mutex<[Step]>
    private let log = Mutex<[Arrival]>([])
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let channel = Mutex<(any Channel)?>(nil)

    /// The steps are taken in order; after the last one every request is forwarded (or dropped without upstream).
    init(steps: [Step], upstream: URL?) {
        self.steps = Mutex(steps)
        self.upstream = upstream
    }

    var arrivals: [Arrival] { log.withLock { $0 } }

    /// Starts listening on a free loopback port and answers the base URL.
    func start() async throws -> URL {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(listener: self))
                }
            }
        let server = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = server }
        return URL(string: "http://127.0.0.1:\(server.localAddress?.port ?? 0)")!
    }

    func stop() async throws {
        try await channel.withLock { $0 }?.close().get()
        try await group.shutdownGracefully()
    }

    fileprivate func nextStep(method: String, path: String) -> Step {
        log.withLock { $0.append(Arrival(at: .now, method: method, path: path)) }
        return steps.withLock { steps in
            steps.isEmpty ? (upstream == nil ? .drop : .forward) : steps.removeFirst()
        }
    }

    /// Sends the request to the upstream server with URLSession and answers its status, headers and body.
    fileprivate func forward(method: String, path: String, headers: HTTPHeaders, body: Data) async -> (Int, [(String, String)], Data) {
        guard let upstream, let url = URL(string: upstream.absoluteString + path) else { return (502, [], Data()) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for name in ["Authorization", "Content-Type", "Accept"] {
            if let value = headers.first(name: name) { request.setValue(value, forHTTPHeaderField: name) }
        }
        if !body.isEmpty { request.httpBody = body }
        guard let (data, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse else {
            return (502, [], Data())
        }
        let contentType = http.value(forHTTPHeaderField: "Content-Type") ?? "application/json"
        return (http.statusCode, [("Content-Type", contentType)], data)
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let listener: FlakyListener
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(listener: FlakyListener) {
            self.listener = listener
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body.clear()
            case .body(var part):
                body.writeBuffer(&part)
            case .end:
                guard let head else { return }
                switch listener.nextStep(method: head.method.rawValue, path: head.uri) {
                case .drop:
                    context.close(promise: nil)
                case .answer(let status, let retryAfter, let text):
                    var headers = [("Content-Type", "application/json")]
                    if let retryAfter { headers.append(("Retry-After", retryAfter)) }
                    respond(context: context, status: status, headers: headers, body: Data(text.utf8))
                case .forward:
                    let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                    let requestBody = Data(body.readableBytesView)
                    let method = head.method.rawValue, uri = head.uri, headers = head.headers
                    let listener = self.listener
                    Task {
                        let (status, headers, data) = await listener.forward(method: method, path: uri, headers: headers, body: requestBody)
                        bound.eventLoop.execute {
                            let (handler, context) = bound.value
                            handler.respond(context: context, status: status, headers: headers, body: data)
                        }
                    }
                }
            }
        }

        func respond(context: ChannelHandlerContext, status: Int, headers: [(String, String)], body: Data) {
            var fields = HTTPHeaders(headers)
            fields.add(name: "Content-Length", value: "\(body.count)")
            fields.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: fields)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
