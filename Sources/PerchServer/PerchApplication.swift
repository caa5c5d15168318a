import Crypto
import Foundation
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
                              dashboardKey: SymmetricKey? = nil) -> Router<PerchRequestContext> {
        let router = Router(context: PerchRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: RequestIdMiddleware(metrics: api.metrics))
        router.add(middleware: CrossOriginMiddleware())
        router.add(middleware: AuthMiddleware(store: store, adminKey: adminKey))
        api.addRoutes(to: router)
        Dashboard(api: api, signingKey: dashboardKey ?? SymmetricKey(size: .bits256)).addRoutes(to: router)
        return router
    }

    /// The services that send: the campaign scheduler (starts campaigns, fires triggers) and the delivery worker.
    public static func deliveryServices(store: any PerchStore, gateways: GatewayDirectory, configuration: DeliveryConfiguration,
                                        metrics: PerchMetrics?, logger: Logger) -> [any Service] {
        [
            CampaignScheduler(store: store, clock: ContinuousClock(), logger: logger),
            DeliveryWorker(store: store, gateways: gateways, configuration: configuration, clock: ContinuousClock(), logger: logger, metrics: metrics),
        ]
    }

    public static func make(
        configuration: ServerConfiguration,
        api: PerchAPI,
        store: any AppStore,
        services: [any Service] = [],
        logger: Logger
    ) -> some ApplicationProtocol {
        Application(
            router: router(api: api, store: store, adminKey: configuration.adminKey, dashboardKey: configuration.dashboardKey),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "perch"),
            services: services,
            logger: logger
        )
    }
}
