import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchServer
import PerchStore

/// `perch send`: one message to one installation or raw token, with an app's stored credentials —
/// like gorush, but the answer also updates the registry.
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

    func validate() throws {
        guard (installation == nil) != (token == nil) else { throw ValidationError("give exactly one of --installation or --token") }
        if token != nil, platform == nil { throw ValidationError("--token needs --platform apns or fcm") }
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
            let output: JSONValue = try await PushGateways.withGateways(logger: logger) { gateways in
                let directory = GatewayDirectory(store: store, gateways: gateways, allowedHosts: allowedHosts)
                if let installation {
                    let result = try await DirectSend(store: store, gateways: directory).send(message, appId: app, installationId: installation,
                                                                                              timeToLive: ttl, logger: logger)
                    return try JSONValue(jsonText: String(decoding: JSONEncoder().encode(result), as: UTF8.self)) ?? .null
                }
                let destination = try rawDestination()
                let outcome = try await directory.gateway(appId: app, platform: destination.platform)
                    .send(message, to: destination, options: PushSendOptions(timeToLive: ttl, logger: logger))
                var result = DirectSend.Result(installationId: nil, tokenId: try await store.tokenId(appId: app, destination: destination),
                                               platform: destination.platform.rawValue, outcome: outcome)
                if case .retireToken(let reason, let timestamp) = outcome {
                    if let tokenId = result.tokenId {
                        let retired = try await store.retireToken(appId: app, tokenId: tokenId, reason: reason.code, at: timestamp ?? Date(),
                                                                  unlessSeenAfter: timestamp)
                        result.outcome = retired ? "retired" : "kept"
                    } else {
                        result.outcome = "rejected (not in the registry)"
                    }
                }
                return try JSONValue(jsonText: String(decoding: JSONEncoder().encode(result), as: UTF8.self)) ?? .null
            }
            print(output.jsonText)
        }
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
