import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchCore
import PerchStore
import Synchronization

/// `Idempotency-Key` on the routes that send (`POST /v1/send`, `POST /v1/campaigns`, `POST /v1/campaigns/{id}/send`,
/// `POST /api/push`): the key is claimed for the app before the handler runs and the handler's answer stored after it,
/// so the same request again within a day answers the stored answer (with `Idempotent-Replayed: true`) and sends
/// nothing again. Another request with the key is a 422 (`idempotency_key_reused`), the same one while the first is
/// still being handled a 409 (`idempotency_key_in_progress`). A handler that fails (an error answer) keeps nothing,
/// so a corrected retry may reuse the key. What to do is ``IdempotencyRecord/decide(fingerprint:now:)``'s.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext

    static let keyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    let store: any IdempotencyStore
    let now: @Sendable () -> Date

    /// Whether a request may carry a key: a `POST` to one of the four sending routes.
    static func accepts(_ request: Request) -> Bool {
        guard request.method == .post else { return false }
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch Array(parts) {
        case ["v1", "send"], ["v1", "campaigns"], ["api", "push"]: return true
        case let path where path.count == 4 && path[0] == "v1" && path[1] == "campaigns" && path[3] == "send" && !path[2].isEmpty: return true
        default: return false
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[Self.keyHeader], Self.accepts(request) else { return try await next(request, context) }
        // Keys belong to an app; without one the route answers 401 or 403 itself.
        guard case .app(let appId, _)? = context.principal else { return try await next(request, context) }
        let key = try IdempotencyRecord.validateKey(header)

        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: context.maxUploadSize)
        } catch {
            throw PerchError(.bodyTooLarge, "the request body is larger than \(context.maxUploadSize) bytes", field: "body")
        }
        let fingerprint = IdempotencyRecord.fingerprint(method: request.method.rawValue, path: request.uri.description,
                                                        body: body.readableBytesView)
        if let record = try await store.claimIdempotencyKey(appId: appId, key: key, fingerprint: fingerprint, now: now()) {
            switch record.decide(fingerprint: fingerprint, now: now()) {
            case .replay(let answer):
                return Self.response(answer, replayed: true)
            case .reusedForAnotherRequest:
                throw PerchError(.idempotencyKeyReused, "this Idempotency-Key was used for another request within the last 24 hours",
                                 field: "Idempotency-Key")
            case .inProgress, .expired:
                throw PerchError(.idempotencyKeyInProgress, "the first request with this Idempotency-Key is still being handled; retry later",
                                 field: "Idempotency-Key")
            }
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.releaseIdempotencyKey(appId: appId, key: key, fingerprint: fingerprint)
            throw error
        }
        let collected = BodyCollector()
        do {
            try await response.body.write(collected)
        } catch {
            try? await store.releaseIdempotencyKey(appId: appId, key: key, fingerprint: fingerprint)
            throw error
        }
        let answer = IdempotencyRecord.Answer(status: response.status.code, contentType: response.headers[.contentType],
                                              body: collected.text)
        try await store.completeIdempotencyKey(appId: appId, key: key, fingerprint: fingerprint, answer: answer)
        var stored = Self.response(answer, replayed: false)
        stored.headers = response.headers
        return stored
    }

    static func response(_ answer: IdempotencyRecord.Answer, replayed: Bool) -> Response {
        var headers = HTTPFields()
        if let contentType = answer.contentType { headers[.contentType] = contentType }
        if replayed { headers[replayedHeader] = "true" }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

/// Keeps what a response body writes, to store it.
private final class BodyCollector: ResponseBodyWriter, Sendable {
    private let buffer = Mutex(ByteBuffer())

    var text: String { buffer.withLock { String(buffer: $0) } }

    func write(_ part: ByteBuffer) async throws {
        _ = buffer.withLock { $0.writeImmutableBuffer(part) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
