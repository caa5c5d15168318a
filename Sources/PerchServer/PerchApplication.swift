import Crypto
import Foundation
import NIOCore
import Hummingbird
import Logging
import PerchCore
import PerchStore
import ServiceLifecycle

/// Builds the Hummingbird application of the public contract.
public enum PerchApplication {
    /// The router with every route and middleware; tests drive it in process.
    /// - Parameter dashboardKey: signs dashboard sessions (``Dashboard/signingKey(masterKey:)``); without one, a random key,
    ///   so sessions hold in this process only.
    public static func router(api: PerchAPI, store: any AppStore, adminKey: String?,
                              dashboardKey: SymmetricKey? = nil, publicURL: URL? = nil) -> Router<PerchRequestContext> {
        let router = Router(context: PerchRequestContext.self)
        router.add(middleware: RequestLogMiddleware(level: .info))
        router.add(middleware: RequestIdMiddleware(metrics: api.metrics))
        router.add(middleware: MetricsMiddleware(access: api.metricsAccess, metrics: api.metrics, store: api.store))
        router.add(middleware: CrossOriginMiddleware())
        router.add(middleware: JSONContentTypeMiddleware())
        router.add(middleware: QueryTextMiddleware())
        router.add(middleware: AuthMiddleware(store: store, adminKey: adminKey, cache: api.keyCache, now: api.now))
        router.add(middleware: RateLimitMiddleware(limits: api.rateLimits, now: api.now))
        router.add(middleware: IdempotencyMiddleware(store: api.store, now: api.now))
        api.addRoutes(to: router)
        Dashboard(api: api, signingKey: dashboardKey ?? SymmetricKey(size: .bits256), publicURL: publicURL).addRoutes(to: router)
        return router
    }

    /// The services that work in the background of `perch serve` and make up `perch worker`: the campaign
    /// scheduler (starts campaigns, fires triggers), the delivery worker and, given a policy, token hygiene.
    /// Any number of processes may run them over one database: leases in the store let one scheduler pass
    /// and one hygiene pass run at a time, and workers share the queue. `outcomes` (the API's, in `perch serve`) hears of
    /// every batch the worker records, so a send waiting for its answer reads it at once.
    public static func deliveryServices(store: any PerchStore, gateways: GatewayDirectory, configuration: DeliveryConfiguration,
                                        hygiene: HygienePolicy? = nil, metrics: PerchMetrics?, outcomes: DeliveryOutcomes? = nil,
                                        logger: Logger) -> [any Service] {
        var services: [any Service] = [
            CampaignScheduler(store: store, clock: ContinuousClock(), logger: logger),
            DeliveryWorker(store: store, gateways: gateways, configuration: configuration, clock: ContinuousClock(), logger: logger, metrics: metrics,
                           outcomes: outcomes),
        ]
        if let hygiene {
            services.append(HygieneService(store: store, policy: hygiene, clock: ContinuousClock(), logger: logger, metrics: metrics))
        }
        return services
    }

    /// What a `perch worker` serves, when given a port, and `perch serve --metrics-port`: `GET /healthz` (the store
    /// answers) and `GET /metrics` (deliveries, gateway latencies and queue), for probes and Prometheus. The port is
    /// the operator's to keep private; with a metrics token set, `/metrics` needs it here too.
    public static func workerRouter(store: any AppStore & OperationsStore, metrics: PerchMetrics,
                                    metricsToken: String? = nil) -> Router<BasicRequestContext> {
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
        router.get("/metrics") { request, _ in
            try access.check(request.headers)
            return await metrics.response(sampling: store)
        }
        return router
    }

    public static func make(
        configuration: ServerConfiguration,
        api: PerchAPI,
        store: any AppStore,
        services: [any Service] = [],
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in },
        logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(api: api, store: store, adminKey: configuration.adminKey, dashboardKey: configuration.dashboardKey,
                           publicURL: configuration.publicURL),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "perch"),
            services: services,
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
