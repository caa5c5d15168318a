import Hummingbird
import PerchCore
import PerchDelivery
import PerchHealth
import PerchStore

/// Answers `GET /metrics` on the API's listener before cross-origin headers and API-key authentication run: the
/// metrics token is not an API key, and the answer carries no `Access-Control-Allow-Origin` (a page on another site
/// has no business reading it).
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext

    let access: MetricsAccess
    let metrics: PerchMetrics
    let store: any OperationsStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/metrics", request.method == .get || request.method == .head else {
            return try await next(request, context)
        }
        try access.check(request.headers)
        return await metrics.response(sampling: store)
    }
}
