import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchHealth

extension PerchAPI {
    func addOperationsRoutes(to router: Router<PerchRequestContext>) {
        router.get("/healthz") { _, _ in
            try JSONResponse.make(["status": "ok"])
        }
        // MetricsMiddleware answers GET /metrics ahead of cross-origin headers and API-key authentication; the route
        // keeps the same rule for a router assembled without it.
        router.get("/metrics") { request, _ in
            try metricsAccess.check(request.headers)
            return await metrics.response(sampling: store)
        }
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
