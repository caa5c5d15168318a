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
    @Option(help: "Mark tokens stale after this long unseen, e.g. 30d [PERCH_STALE_AFTER]") var staleAfter: String?
    @Option(help: "Mark tokens expired after this long unseen, e.g. 270d [PERCH_EXPIRE_AFTER]") var expireAfter: String?
    @Option(help: "How often hygiene runs, e.g. 1h [PERCH_HYGIENE_INTERVAL]") var hygieneInterval: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error [PERCH_LOG_LEVEL]") var logLevel: String?
    @Option(help: "Seconds a worker's claim on deliveries holds; a crash re-sends at most one batch after it [PERCH_DELIVERY_LEASE]")
    var deliveryLease: Int?
    @Option(help: "Deliveries claimed per batch [PERCH_DELIVERY_BATCH]") var deliveryBatch: Int?
    @Option(help: "Sends in flight at once [PERCH_DELIVERY_CONCURRENCY]") var deliveryConcurrency: Int?
    @Flag(help: "Start push simulators in process, seed a demo app with ~50,000 installations and send it a campaign [PERCH_DEMO=1]")
    var demo = false
    @Option(help: "Installations the demo seeds [PERCH_DEMO_SIZE]") var demoSize: Int?
    @OptionGroup var storeOptions: StoreOptions

    /// A whole number from the flag or its variable, within bounds.
    static func number(_ flag: Int?, _ variable: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try flag ?? Environment.value(variable).map({ text in
            guard let value = Int(text) else { throw ValidationError("\(variable) must be a number") }
            return value
        }) else { return nil }
        guard range.contains(value) else { throw ValidationError("\(variable) must be \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel ?? Environment.value("PERCH_LOG_LEVEL") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "perch")
        var configuration = ServerConfiguration()
        configuration.host = host ?? Environment.value("PERCH_HOST") ?? configuration.host
        configuration.port = try port ?? Environment.value("PERCH_PORT").map { text in
            guard let value = Int(text) else { throw ValidationError("PERCH_PORT must be a number") }
            return value
        } ?? configuration.port
        configuration.databaseURL = demoStoreOptions.databaseURL
        configuration.adminKey = adminKey ?? Environment.value("PERCH_ADMIN_KEY")
        configuration.hygiene = try HygieneCommand.policy(staleAfter: staleAfter, expireAfter: expireAfter, interval: hygieneInterval)
        if let lease = try Self.number(deliveryLease, "PERCH_DELIVERY_LEASE", in: 1...3600) { configuration.delivery.lease = .seconds(lease) }
        if let batch = try Self.number(deliveryBatch, "PERCH_DELIVERY_BATCH", in: 1...10_000) { configuration.delivery.batchSize = batch }
        if let concurrency = try Self.number(deliveryConcurrency, "PERCH_DELIVERY_CONCURRENCY", in: 1...10_000) {
            configuration.delivery.concurrency = concurrency
        }

        let opened = try await demoStoreOptions.openStore(logger: logger)
        let store = opened.store
        let metrics = PerchMetrics()
        let gateways = PushGateways(logger: Logger(label: "perch.gateways"))
        let directory = GatewayDirectory(store: store, gateways: gateways)
        let api = PerchAPI(store: store, metrics: metrics, gateways: directory)
        let hygiene = HygieneService(store: store, policy: configuration.hygiene, clock: ContinuousClock(),
                                     logger: Logger(label: "perch.hygiene"), metrics: metrics)
        let app = PerchApplication.make(configuration: configuration, api: api, store: store, logger: logger)
        let delivery = PerchApplication.deliveryServices(store: store, gateways: directory, configuration: configuration.delivery, metrics: metrics,
                                                         logger: Logger(label: "perch.delivery"))
        if configuration.adminKey == nil {
            logger.notice("no admin key set: POST /v1/apps is closed; create apps with `perch apps create` or set PERCH_ADMIN_KEY")
        }
        logger.info("perch serving", metadata: ["address": "\(configuration.host):\(configuration.port)", "database": "\(opened.description)"])
        let showcase = try await demoServices(store: opened.store as? SQLiteStore, configuration: configuration, logger: logger)
        // The store's own service (PostgreSQL's pool) first, so it shuts down last.
        let services: [any Service] = (opened.service.map { [$0] } ?? []) + [gateways, app, hygiene] + delivery + showcase
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
