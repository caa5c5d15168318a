import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchGateways
import PerchServer
import PerchStore
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Perch server.")

    @Option(help: "Address to listen on [PERCH_HOST]") var host: String?
    @Option(help: "Port to listen on [PERCH_PORT]") var port: Int?
    @Option(help: "Admin key for POST /v1/apps [PERCH_ADMIN_KEY]") var adminKey: String?
    @Flag(help: "Start push simulators in process, seed a demo app with ~50,000 installations and send it a campaign [PERCH_DEMO=1]")
    var demo = false
    @Option(help: "Installations the demo seeds [PERCH_DEMO_SIZE]") var demoSize: Int?
    @Flag(help: "Serve the API and dashboard only; the scheduler, sending and hygiene run in `perch worker`s (PostgreSQL) [PERCH_API_ONLY=1]")
    var apiOnly = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var work: WorkOptions
    @OptionGroup var rateLimits: RateLimitOptions

    func run() async throws {
        work.bootstrapLogging()
        let logger = Logger(label: "perch")
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("PERCH_HOST") ?? configuration.host
        configuration.port = try WorkOptions.number(port, "PERCH_PORT", in: 0...65_535) ?? configuration.port
        configuration.databaseURL = demoStoreOptions.databaseURL
        configuration.adminKey = adminKey ?? Environment.value("PERCH_ADMIN_KEY")
        configuration.hygiene = try work.hygiene()
        configuration.delivery = try work.delivery()
        let rateLimitPolicy = try rateLimits.policy()

        let opened = try await demoStoreOptions.openStore(logger: logger)
        let apiOnly = apiOnly || Environment.isOn("PERCH_API_ONLY")
        if apiOnly, opened.service == nil {
            throw ValidationError("--api-only leaves sending to perch worker processes, which need PostgreSQL (--database postgres://…); "
                                  + "on SQLite, perch serve sends by itself")
        }
        let store = opened.store
        configuration.dashboardKey = Dashboard.signingKey(masterKey: opened.masterKey)
        let metrics = PerchMetrics()
        let gateways = PushGateways(logger: Logger(label: "perch.gateways"))
        let directory = GatewayDirectory(store: store, gateways: gateways)
        let api = PerchAPI(store: store, metrics: metrics, gateways: directory, rateLimits: rateLimitPolicy)
        let app = PerchApplication.make(configuration: configuration, api: api, store: store, logger: logger)
        let delivery = apiOnly ? [] : PerchApplication.deliveryServices(
            store: store, gateways: directory, configuration: configuration.delivery, hygiene: configuration.hygiene, metrics: metrics,
            logger: Logger(label: "perch.delivery"))
        if configuration.adminKey == nil {
            logger.notice("no admin key set: POST /v1/apps is closed; create apps with `perch apps create` or set PERCH_ADMIN_KEY")
        }
        logger.info("perch serving", metadata: ["address": "\(configuration.host):\(configuration.port)", "database": "\(opened.description)",
                                                "sending": "\(apiOnly ? "off (perch worker)" : "on")"])
        let showcase = try await demoServices(store: opened.store as? SQLiteStore, configuration: configuration, logger: logger)
        // The store's own service (PostgreSQL's pool) first, so it shuts down last.
        let services: [any Service] = (opened.service.map { [$0] } ?? []) + [gateways, app] + delivery + showcase
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
