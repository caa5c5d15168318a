import HTTPTypes
import Hummingbird
import PerchDelivery
import PerchHealth

/// Answers every request with its id (`x-request-id`, the same id as the log lines'
/// `hb.request.id`), and times it for `/metrics`.
struct RequestIdMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext
    let metrics: PerchMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        defer { metrics.requests.record(ContinuousClock.now - start) }
        let id = context.id
        do {
            var response = try await next(request, context)
            response.headers[HTTPField.Name("x-request-id")!] = id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[HTTPField.Name("x-request-id")!] = id
            return response
        }
    }
}
