import Foundation
import HTTPTypes
import Hummingbird
import PerchCore

/// A JSON route (`/v1/…`, `/api/push`) answers 415 to a body that is not `application/json`.
///
/// Why: a cross-site HTML form can post `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data`
/// without a preflight; refusing every other type means no page can make a browser post a body that Perch
/// then reads as JSON (a browser always declares a form's length). A request without a body needs no content type.
/// ``JSONBody`` checks again where it reads, so a body without a declared length is refused there too.
struct JSONContentTypeMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isJSONRoute(request.uri.path), Self.hasBody(request.headers), !Self.isJSON(request.headers[.contentType]) {
            throw Self.refusal
        }
        return try await next(request, context)
    }

    static let refusal = PerchError(.unsupportedMediaType, "send the body as Content-Type: application/json", field: "Content-Type")

    static func isJSONRoute(_ path: String) -> Bool {
        path.hasPrefix("/v1/") || path == "/api/push" || path == "/api/push/"
    }

    /// A declared body: `Content-Length` above zero. (A chunked body's length is unknown up front — many clients send an
    /// empty chunked body on a bare POST — so ``JSONBody`` judges those by the bytes that arrive.)
    static func hasBody(_ headers: HTTPFields) -> Bool {
        guard let length = headers[.contentLength] else { return false }
        return length.trimmingCharacters(in: .whitespaces) != "0"
    }

    /// `application/json`, with any parameters (`; charset=utf-8`), in any letter case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
