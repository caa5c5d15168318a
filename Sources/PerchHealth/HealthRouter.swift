import Hummingbird
import NIOCore
import PerchCore
import PerchDelivery
import PerchStore

/// What a `perch worker` serves, when given a port, and `perch serve --metrics-port`: `GET /healthz` (the store answers)
/// and `GET /metrics` (deliveries, gateway latencies and queue), for probes and Prometheus. The port is the operator's to
/// keep private; with a metrics token set, `/metrics` needs it here too. A listener of its own, without the API or the
/// dashboard: `perch worker` links this and the delivery engine only.
public enum HealthRouter {
    public static func make(store: any AppStore & OperationsStore, metrics: PerchMetrics, metricsToken: String? = nil) -> Router<BasicRequestContext> {
        let access = MetricsAccess(token: metricsToken, openWithoutToken: true)
        let router = Router()
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await store.apps()
                return json(#"{"status":"ok"}"#, status: .ok)
            } catch {
                return json(#"{"status":"unavailable"}"#, status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { request, _ -> Response in
            do throws(PerchError) {
                try access.check(request.headers)
            } catch {
                // Perch's error body, as the API answers it.
                let status: HTTPResponse.Status = error.code == .unauthorized ? .unauthorized : .notFound
                var response = json(#"{"error":{"code":"\#(error.code.description)","message":"\#(error.message)"}}"#, status: status)
                if error.code == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
                return response
            }
            return await metrics.response(sampling: store)
        }
        return router
    }

    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
