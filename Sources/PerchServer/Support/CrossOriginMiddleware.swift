import HTTPTypes
import Hummingbird
import PerchHealth

/// Cross-origin access for the web SDK, which calls the API from the site's own origin.
///
/// Keys travel in the `Authorization` header, never in cookies, so any origin may call and read answers
/// (`Access-Control-Allow-Origin: *`, no credentials mode): a page that holds a key can use it wherever it runs.
/// Preflights are answered here, before authentication. Error answers carry the headers too, and `x-request-id`
/// is exposed, so the SDK can report Perch's message, field and request id to the page.
/// (Hummingbird's `CORSMiddleware` exposes headers only on preflights, where browsers ignore them.)
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext

    static let allowedMethods = "GET, POST, PUT, DELETE, OPTIONS"
    static let allowedHeaders = "authorization, content-type, accept"
    static let exposedHeaders = "x-request-id, retry-after"
    /// How long a browser may reuse a preflight answer, in seconds.
    static let preflightMaxAge = "86400"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.origin] != nil else { return try await next(request, context) }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = "*"
            headers[.accessControlAllowMethods] = Self.allowedMethods
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = Self.preflightMaxAge
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.accessControlAllowOrigin] = "*"
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return response
    }
}
