import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchDelivery
import PerchGateways

/// What `perch serve` and `perch worker` share: logging, token hygiene and the delivery worker's
/// settings. Each flag also reads its `PERCH_*` variable.
struct WorkOptions: ParsableArguments {
    @Option(help: "Mark tokens stale after this long unseen, e.g. 30d [PERCH_STALE_AFTER]") var staleAfter: String?
    @Option(help: "Mark tokens expired after this long unseen, e.g. 270d [PERCH_EXPIRE_AFTER]") var expireAfter: String?
    @Option(help: "How often hygiene runs, e.g. 1h [PERCH_HYGIENE_INTERVAL]") var hygieneInterval: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error [PERCH_LOG_LEVEL]") var logLevel: String?
    @Option(help: "Seconds a worker's claim on deliveries holds; a crash re-sends at most one batch per lane after it [PERCH_DELIVERY_LEASE]")
    var deliveryLease: Int?
    @Option(help: "Deliveries claimed per batch [PERCH_DELIVERY_BATCH]") var deliveryBatch: Int?
    @Option(help: "Sends in flight at once [PERCH_DELIVERY_CONCURRENCY]") var deliveryConcurrency: Int?
    @Option(help: "Claim-send-record rounds a worker runs side by side [PERCH_DELIVERY_LANES]") var deliveryLanes: Int?
    @Option(help: "HTTP/2 connections to one APNs or FCM host at most; another opens when the others carry as many requests as the gateway allows streams [PERCH_GATEWAY_CONNECTIONS, default 4]")
    var gatewayConnections: Int?
    @Option(help: "Once listening, write the port to this file; with port 0 the system picks a free one [PERCH_PORT_FILE]")
    var portFile: String?

    /// `--port-file` or `PERCH_PORT_FILE`.
    var portFilePath: String? { portFile ?? Environment.value("PERCH_PORT_FILE") }

    /// A whole number from the flag or its variable, within bounds.
    static func number(_ flag: Int?, _ variable: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = try flag ?? Environment.value(variable).map({ text in
            guard let value = Int(text) else { throw ValidationError("\(variable) must be a number") }
            return value
        }) else { return nil }
        guard range.contains(value) else { throw ValidationError("\(variable) must be \(range.lowerBound) to \(range.upperBound)") }
        return value
    }

    /// Logs to standard output at the chosen level.
    func bootstrapLogging() {
        let level = Logger.Level(rawValue: logLevel ?? Environment.value("PERCH_LOG_LEVEL") ?? "info") ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// The gateways' connections, sized by `--gateway-connections`.
    func gateways() throws -> PushGateways {
        let connections = try Self.number(gatewayConnections, "PERCH_GATEWAY_CONNECTIONS", in: 1...64) ?? 4
        return PushGateways(logger: Logger(label: "perch.gateways"), connectionsPerOrigin: connections)
    }

    func hygiene() throws -> HygienePolicy {
        try HygieneCommand.policy(staleAfter: staleAfter, expireAfter: expireAfter, interval: hygieneInterval)
    }

    func delivery() throws -> DeliveryConfiguration {
        var configuration = DeliveryConfiguration()
        if let lease = try Self.number(deliveryLease, "PERCH_DELIVERY_LEASE", in: 1...3600) { configuration.lease = .seconds(lease) }
        if let batch = try Self.number(deliveryBatch, "PERCH_DELIVERY_BATCH", in: 1...10_000) { configuration.batchSize = batch }
        if let concurrency = try Self.number(deliveryConcurrency, "PERCH_DELIVERY_CONCURRENCY", in: 1...10_000) {
            configuration.concurrency = concurrency
        }
        if let lanes = try Self.number(deliveryLanes, "PERCH_DELIVERY_LANES", in: 1...64) { configuration.lanes = lanes }
        return configuration
    }
}
