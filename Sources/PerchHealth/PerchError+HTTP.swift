import Foundation
import HTTPTypes
import Hummingbird
import PerchCore

/// Every ``PerchError`` becomes the contract's error answer:
/// `{"error":{"code":"…","message":"…","field":"…"}}` with a status chosen by its code.
extension PerchError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .invalidField, .missingField, .malformedBody, .forbiddenEndpoint: .badRequest
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .rateLimited: .tooManyRequests
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict, .gatewayNotConfigured, .idempotencyKeyInProgress: .conflict
        case .idempotencyKeyReused: .unprocessableContent
        case .unsupported: .notImplemented
        default: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(JSONValue.object(["error": jsonObject]).jsonText)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The `error` object of the answer.
    public var jsonObject: JSONValue {
        var object: [String: JSONValue] = ["code": .string(code.description), "message": .string(message)]
        if let field { object["field"] = .string(field) }
        return .object(object)
    }
}
