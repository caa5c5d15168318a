import Hummingbird
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
                return try JSONResponse.make(["status": "ok"])
            } catch {
                return try JSONResponse.make(["status": "unavailable"], status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { request, _ -> Response in
            try access.check(request.headers)
            return await metrics.response(sampling: store)
        }
        return router
    }
}
