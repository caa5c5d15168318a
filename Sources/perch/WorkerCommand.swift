import ArgumentParser
import Foundation
import Hummingbird
import Logging
import PerchDelivery
import PerchGateways
import PerchHealth
import PerchStore
import ServiceLifecycle

/// `perch worker`: a process that sends without serving the API. It claims deliveries from the shared
/// queue, takes its turn as the campaign scheduler and runs token hygiene — beside any number of other
/// workers and `perch serve` processes on one PostgreSQL database, which is the queue and the lock.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Send campaigns from the shared queue, beside other workers and servers on one PostgreSQL database."
    )

    @Option(help: "Serve GET /healthz and GET /metrics on this port (keep it private; /metrics needs PERCH_METRICS_TOKEN when set); none when unset [PERCH_WORKER_PORT]")
    var port: Int?
    @Option(help: "Address for /healthz and /metrics [PERCH_WORKER_HOST, default 127.0.0.1]") var host: String?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var gatewayHosts: GatewayHostOptions
    @OptionGroup var work: WorkOptions

    func run() async throws {
        work.bootstrapLogging()
        let logger = Logger(label: "perch.worker")
        let port = try WorkOptions.number(port, "PERCH_WORKER_PORT", in: 0...65_535)
        let host = host ?? Environment.value("PERCH_WORKER_HOST") ?? "127.0.0.1"
        let hygiene = try work.hygiene()
        let delivery = try work.delivery()
        let opened = try await storeOptions.openStore(logger: logger)
        guard opened.service != nil else {
            throw ValidationError("perch worker shares a PostgreSQL database with other processes (--database postgres://…); "
                                  + "on SQLite, perch serve sends by itself")
        }
        let store = opened.store
        let metrics = PerchMetrics()
        let gateways = try work.gateways()
        let directory = GatewayDirectory(store: store, gateways: gateways, allowedHosts: try gatewayHosts.allowList())
        var services: [any Service] = (opened.service.map { [$0] } ?? []) + [gateways]
        services += DeliveryServices.make(store: store, gateways: directory, configuration: delivery, hygiene: hygiene,
                                          metrics: metrics, logger: Logger(label: "perch.delivery"))
        if let port {
            services.append(Application(router: HealthRouter.make(store: store, metrics: metrics, metricsToken: Environment.value("PERCH_METRICS_TOKEN")),
                                        configuration: .init(address: .hostname(host, port: port), serverName: "perch-worker"),
                                        onServerRunning: Listening.report(portFile: work.portFilePath, logger: logger), logger: logger))
        }
        logger.info("perch worker running", metadata: ["database": "\(opened.description)", "batch": "\(delivery.batchSize)",
                                                       "concurrency": "\(delivery.concurrency)", "lanes": "\(delivery.runningLanes)", "health": "\(port.map { "\(host):\($0)" } ?? "off")"])
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
