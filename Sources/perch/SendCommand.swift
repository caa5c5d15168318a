import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchDelivery
import PerchGateways
import PerchStore

/// `perch send`: one message to one installation or raw token, with an app's stored credentials — like gorush, but
/// sent through the delivery queue like every push (a delivery row, metrics, `explain`), and the answer also updates
/// the registry.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message to one installation or raw token with the app's stored credentials, and print the outcome."
    )

    @Option(help: "The app id") var app: String
    @Option(help: "Send to this installation's current token (consent and status are checked)") var installation: String?
    @Option(help: "Send to this raw APNs or FCM token instead") var token: String?
    @Option(help: "The raw token's platform: apns or fcm") var platform: String?
    @Option(help: "The raw APNs token's environment: production or sandbox") var environment: String?
    @Option(help: "Title") var title: String
    @Option(help: "Body") var body: String
    @Option(help: "URL to open") var url: String?
    @Option(name: .customLong("data"), help: "Custom data as key=value (repeatable)") var data: [String] = []
    @Option(help: "Seconds the push service may keep the message") var ttl: Int?
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var gatewayHosts: GatewayHostOptions

    /// How long the command waits for the gateway's answer; a delivery still being retried then is printed with its
    /// state, and a worker (`perch serve`, `perch worker`) sends it later.
    static let wait = Duration.seconds(30)

    func validate() throws {
        guard (installation == nil) != (token == nil) else { throw ValidationError("give exactly one of --installation or --token") }
        if token != nil, platform == nil { throw ValidationError("--token needs --platform apns or fcm") }
        if let ttl, !(0...2_419_200).contains(ttl) { throw ValidationError("--ttl is 0 to 2419200 seconds (four weeks)") }
    }

    func run() async throws {
        var logger = Logger(label: "perch.send")
        logger.logLevel = .warning
        try await storeOptions.withStore(logger: logger) { store in
            var fields: [String: JSONValue] = [:]
            for pair in data {
                guard let equals = pair.firstIndex(of: "=") else { throw ValidationError("--data takes key=value") }
                fields[String(pair[..<equals])] = .string(String(pair[pair.index(after: equals)...]))
            }
            let message = PushMessage(title: title, body: body, data: fields.isEmpty ? nil : fields, url: url)
            let allowedHosts = try gatewayHosts.allowList()
            let answer = try await PushGateways.withGateways(logger: logger) { gateways in
                let directory = GatewayDirectory(store: store, gateways: gateways, allowedHosts: allowedHosts)
                let sends = SendQueue(store: store, resolver: CampaignResolver(store: store, logger: logger))
                return try await send(message, store: store, directory: directory, sends: sends, logger: logger)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(answer), as: UTF8.self))
        }
    }

    /// Sends like every push: a transactional send through the delivery queue, sent by a worker this process runs for it
    /// alone (a server's worker on the same store may send it first; either way it is sent once), its outcome awaited.
    private func send(_ message: PushMessage, store: any PerchStore, directory: GatewayDirectory, sends: SendQueue,
                      logger: Logger) async throws -> SendResult {
        // The target, and its gateway checked before anything is written.
        let installationId: String
        var registeredNow = false
        if let installation {
            guard let summary = try await store.installation(appId: app, installationId: installation) else {
                throw PerchError(.notFound, "installation not found", field: "--installation")
            }
            _ = try await directory.route(appId: app, platform: summary.platform)
            installationId = installation
        } else {
            let destination = try rawDestination()
            _ = try await directory.route(appId: app, platform: destination.platform)
            switch try await sends.target(destination, appId: app, registeringAs: "send-") {
            case .installation(let id, let registered):
                (installationId, registeredNow) = (id, registered)
            case .suppressed(let reason, let detail):
                return SendResult(installationId: nil, platform: destination.platform.rawValue, suppressed: reason, detail: detail)
            }
        }
        let definition = CampaignDefinition(name: "perch send", audience: .init(installationIds: [installationId]), message: message,
                                            ttlSeconds: ttl, bypassCaps: true)
        let sendId = try await sends.enqueue(definition, appId: app).id
        var configuration = DeliveryConfiguration()
        configuration.onlyCampaign = (app, sendId)
        configuration.lanes = 1
        let worker = DeliveryWorker(store: store, gateways: directory, configuration: configuration, clock: ContinuousClock(), logger: logger,
                                    outcomes: sends.outcomes)
        let records = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            defer { group.cancelAll() }
            return try await sends.deliveries(appId: app, sendIds: [sendId], until: .now + Self.wait)[sendId] ?? []
        }
        guard let record = records.first else {
            return SendResult(installationId: installationId, platform: nil, suppressed: "no_token",
                              detail: "the installation has no token to send to")
        }
        var result = SendResult(record, outcome: try await sends.outcome(of: record, registeredNow: registeredNow, appId: app))
        result.sendId = sendId
        return result
    }

    private func rawDestination() throws -> PushDestination {
        switch platform {
        case "apns":
            let environment = try environment.map { name in
                guard let value = APNsEnvironment(rawValue: name) else { throw ValidationError("--environment is production or sandbox") }
                return value
            }
            do { return .apns(token: try FieldRules.apnsToken(token), environment: environment) } catch { throw ValidationError(error.message) }
        case "fcm":
            do { return .fcm(token: try FieldRules.fcmToken(token)) } catch { throw ValidationError(error.message) }
        default:
            throw ValidationError("--platform is apns or fcm (Web Push needs a registered installation: use --installation)")
        }
    }
}
