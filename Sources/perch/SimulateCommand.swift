import ArgumentParser
import Foundation
import Logging
import PerchSimulator
import ServiceLifecycle

/// `perch simulate`: local APNs, FCM and Web Push services over real HTTP/2 + TLS on loopback,
/// with the CA and ready-to-use credentials written to a state directory.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run local APNs, FCM and Web Push push-service simulators (HTTP/2 + TLS, loopback only).",
        discussion: """
            Writes ca.pem (the CA every listener's certificate chains to) and credentials.json (APNs key, \
            FCM service account, URLs) into --state-dir, prints the URLs, and runs until SIGINT or SIGTERM.
            --faults takes comma-separated platform:fault@rate items, e.g. \
            apns:429@0.05,fcm:503@0.01,webpush:reset@0.01,apns:stall@0.001,apns:invalid@0.02,seed=7 \
            (grammar: Sources/PerchSimulator/README.md).
            """)

    @Option(help: "Address to listen on; only loopback addresses (127.0.0.0/8, ::1, localhost) are accepted.")
    var host = "127.0.0.1"

    @Option(name: .customLong("apns"), help: "APNs production port (0 picks a free port).")
    var apnsPort = 0

    @Option(name: .customLong("apns-sandbox"), help: "APNs sandbox port (0 picks a free port).")
    var apnsSandboxPort = 0

    @Option(name: .customLong("fcm"), help: "FCM port: OAuth token endpoint and HTTP v1 API (0 picks a free port).")
    var fcmPort = 0

    @Option(name: .customLong("webpush"), help: "Web Push service port (0 picks a free port).")
    var webPushPort = 0

    @Option(name: .customLong("faults"), help: "Fault plan, platform:fault@rate items separated by commas.")
    var faults: String?

    @Option(name: .customLong("latency-ms"), help: "Latency added to every push answer, in milliseconds.")
    var latencyMilliseconds = 0

    @Option(name: .customLong("state-dir"), help: "Where ca.pem and credentials.json are written.")
    var stateDirectory = "./perch-simulator"

    func validate() throws {
        guard PushSimulator.isLoopback(host) else {
            throw ValidationError("--host must be a loopback address (127.0.0.1, ::1 or localhost), not '\(host)'.")
        }
        for (name, port) in [("--apns", apnsPort), ("--apns-sandbox", apnsSandboxPort), ("--fcm", fcmPort), ("--webpush", webPushPort)]
        where !(0...65535).contains(port) {
            throw ValidationError("\(name) must be a port number in 0...65535.")
        }
        guard latencyMilliseconds >= 0 else { throw ValidationError("--latency-ms must not be negative.") }
        if let faults {
            do {
                _ = try FaultPlan(parsing: faults)
            } catch {
                throw ValidationError("--faults: \(error)")
            }
        }
    }

    func run() async throws {
        let logger = Logger(label: "perch.simulate")
        var configuration = SimulatorConfiguration()
        configuration.host = host
        configuration.apnsPort = apnsPort
        configuration.apnsSandboxPort = apnsSandboxPort
        configuration.fcmPort = fcmPort
        configuration.webPushPort = webPushPort
        configuration.latency = .milliseconds(latencyMilliseconds)
        configuration.faults = try faults.map { try FaultPlan(parsing: $0) } ?? .none
        configuration.stateDirectory = stateDirectory

        let simulator = PushSimulator(configuration: configuration, logger: logger)
        let endpoints = try await simulator.start()
        print(
            """
            Perch push simulator (HTTP/2 + TLS)
              APNs production   \(endpoints.apnsURL)
              APNs sandbox      \(endpoints.apnsSandboxURL)
              FCM               \(endpoints.fcmURL)   (OAuth: \(endpoints.fcmURL)/token, project \(endpoints.fcmProjectId))
              Web Push          \(endpoints.webPushURL)   (new subscription: POST \(endpoints.webPushURL)/_sim/subscriptions)
              CA certificate    \(endpoints.caCertificatePath ?? "-")
              credentials       \(endpoints.credentialsPath ?? "-")
              faults            \(configuration.faults.rules.isEmpty ? "none" : configuration.faults.description)
              latency           \(latencyMilliseconds) ms
            Counters: GET <any URL>/_sim/counters. Stop with Ctrl-C.
            """)
        let group = ServiceGroup(
            services: [simulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
