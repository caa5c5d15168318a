import Hummingbird
import Logging

/// Logs one line per request with the route's template (`/v1/users/{userId}`), never the path that was
/// asked for: paths carry user ids, installation ids and campaign ids, and an erased person must not
/// survive in the request log. Hummingbird's `LogRequestsMiddleware` logs the full URI, so Perch has its own.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = PerchRequestContext
    let level: Logger.Level

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            log(request, context: context, status: error.status.code)
            throw error
        } catch {
            log(request, context: context, status: 500)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int) {
        // The router records the matched template in the context's shared endpoint path; "NotFound" when none matched.
        context.logger.log(level: level, "Request", metadata: [
            "hb.request.method": .string(request.method.rawValue),
            "hb.request.route": .string(context.endpointPath ?? "NotFound"),
            "hb.response.status": .stringConvertible(status),
        ])
    }
}
