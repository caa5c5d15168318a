import Crypto
import Foundation
import NIOCore
import Hummingbird
import Logging
import PerchCore
import PerchDelivery
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
