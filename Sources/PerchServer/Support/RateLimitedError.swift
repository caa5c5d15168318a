import Foundation
import HTTPTypes
import Hummingbird
import PerchCore
import PerchHealth

/// A ``PerchError`` with code `rate_limited` (429) and how long to wait, sent as `Retry-After` in whole seconds.
struct RateLimitedError: Error, HTTPResponseError {
    var error: PerchError
    var retryAfter: Int

    var status: HTTPResponse.Status { error.status }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try error.response(from: request, context: context)
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }
}

extension PerchError {
    /// A 429 whose answer carries `Retry-After: seconds`.
    static func rateLimited(_ what: String, retryAfter seconds: Int) -> RateLimitedError {
        RateLimitedError(error: PerchError(.rateLimited, "too many requests for this \(what); retry after \(seconds) s"), retryAfter: seconds)
    }
}
