import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchDelivery
import PerchHealth
import PerchDemo
import PerchGateways
import PerchServer
import PerchSQLite
import PerchStore
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Perch server.")

    @Option(help: "Address to listen on [PERCH_HOST]") var host: String?
    @Option(help: "Port to listen on [PERCH_PORT]") var port: Int?
    @Option(help: "Admin key for POST /v1/apps, at least 32 characters [PERCH_ADMIN_KEY]") var adminKey: String?
    @Option(help: "The URL users reach this server at; https makes dashboard cookies Secure [PERCH_PUBLIC_URL]") var publicURL: String?
    @Flag(help: "Start push simulators in process, seed a demo app with ~50,000 installations and send it a campaign [PERCH_DEMO=1]")
    var demo = false
    @Option(help: "Installations the demo seeds [PERCH_DEMO_SIZE]") var demoSize: Int?
    @Flag(help: "Serve the API and dashboard only; the scheduler, sending and hygiene run in `perch worker`s (PostgreSQL) [PERCH_API_ONLY=1]")
    var apiOnly = false
    @Option(help: "Serve GET /metrics and GET /healthz on this port too; keep it private [PERCH_METRICS_PORT]") var metricsPort: Int?
    @Flag(help: "Serve the web SDK's example page /sdk/example.html and its worker, for trying the SDK out [PERCH_SDK_EXAMPLE=1]")
    var sdkExample = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var gatewayHosts: GatewayHostOptions
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
        do {
            try ServerConfiguration.validateAdminKey(configuration.adminKey)
        } catch {
            throw ValidationError(error.message)
        }
        if let text = publicURL ?? Environment.value("PERCH_PUBLIC_URL"), !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                throw ValidationError("PERCH_PUBLIC_URL (--public-url) must be an http(s) URL such as https://push.example.com")
            }
            configuration.publicURL = url
        }
        configuration.hygiene = try work.hygiene()
        configuration.delivery = try work.delivery()
        configuration.allowedGatewayHosts = try gatewayHosts.allowList()
        if isDemo {
            // The demo's simulators listen on 127.0.0.1, on ports that change between runs.
            configuration.allowedGatewayHosts.entries.append(.init(host: "127.0.0.1"))
        }
        configuration.metricsToken = Environment.value("PERCH_METRICS_TOKEN")
        configuration.metricsPort = try WorkOptions.number(metricsPort, "PERCH_METRICS_PORT", in: 0...65_535)
        configuration.servesSDKExample = sdkExample || Environment.isOn("PERCH_SDK_EXAMPLE")
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
        let gateways = try work.gateways()
        let directory = GatewayDirectory(store: store, gateways: gateways, allowedHosts: configuration.allowedGatewayHosts)
        var api = PerchAPI(store: store, allowedGatewayHosts: configuration.allowedGatewayHosts, metrics: metrics, gateways: directory,
                           rateLimits: rateLimitPolicy)
        api.metricsAccess = MetricsAccess(token: configuration.metricsToken, openWithoutToken: false)
        api.servesSDKExample = configuration.servesSDKExample
        // The demo calls the API it runs beside; with --port 0 it learns the port once the server listens.
        let demoServer = DemoServerAddress(host: configuration.host, port: configuration.port)
        let app = PerchApplication.make(configuration: configuration, api: api, store: store,
                                        onServerRunning: Listening.report(portFile: work.portFilePath, logger: logger,
                                                                                          then: { demoServer.listening(on: $0) }),
                                        logger: logger)
        var metricsListener: [any Service] = []
        if let metricsPort = configuration.metricsPort {
            metricsListener.append(Application(
                router: HealthRouter.make(store: store, metrics: metrics, metricsToken: configuration.metricsToken),
                configuration: .init(address: .hostname(configuration.host, port: metricsPort), serverName: "perch-metrics"), logger: logger))
        }
        let delivery = apiOnly ? [] : DeliveryServices.make(
            store: store, gateways: directory, configuration: configuration.delivery, hygiene: configuration.hygiene, metrics: metrics,
            outcomes: api.outcomes, logger: Logger(label: "perch.delivery"))
        if configuration.adminKey == nil {
            logger.notice("no admin key set: POST /v1/apps is closed; create apps with `perch apps create` or set PERCH_ADMIN_KEY")
        }
        logger.info("perch serving", metadata: ["address": "\(configuration.host):\(configuration.port)", "database": "\(opened.description)",
                                                "sending": "\(apiOnly ? "off (perch worker)" : "on")",
                                                "gateway-hosts": "\(configuration.allowedGatewayHosts)",
                                                "metrics": "\(configuration.metricsPort.map { "port \($0)" } ?? (configuration.metricsToken == nil ? "off" : "token"))"])
        let showcase = try await demoServices(store: opened.store as? SQLiteStore, server: demoServer, logger: logger)
        // The store's own service (PostgreSQL's pool) first, so it shuts down last.
        let services: [any Service] = (opened.service.map { [$0] } ?? []) + [gateways, app] + metricsListener + delivery + showcase
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
