import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchDelivery
import PerchStore

extension AppsCommand {
    /// Wires an app to the push services `perch simulate` runs, from its `credentials.json`.
    struct ConnectSimulator: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "connect-simulator",
            abstract: "Store gateway settings that point the app at `perch simulate` (APNs, FCM and Web Push)."
        )
        @Option(help: "The app id") var app: String
        @Option(help: "The simulator's state directory") var stateDir = "perch-simulator"
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.withStore(logger: Logger(label: "perch")) { store in
                guard try await store.app(id: app) != nil else { throw ValidationError("no app \(app)") }
                let path = URL(fileURLWithPath: stateDir).appendingPathComponent("credentials.json").path
                guard let text = try? String(contentsOfFile: path, encoding: .utf8), case .object(let credentials)? = JSONValue(jsonText: text) else {
                    throw ValidationError("cannot read \(path); start `perch simulate --state-dir \(stateDir)` first")
                }
                // The simulator's hosts and ports are the operator's to allow: the settings are checked against exactly
                // them here, and perch serve / perch worker must be started with the same list.
                let allowedHosts = Self.simulatorHosts(credentials)
                for platform in Platform.allCases {
                    guard case .object(var body)? = credentials[platform.rawValue] else { continue }
                    if platform == .webpush {
                        body = ["subject": "mailto:simulator@perch.local", "allowedEndpointHosts": body["allowedEndpointHosts"] ?? [],
                                "caCertificate": body["caCertificate"] ?? .null]
                    }
                    let settings = try GatewaySettingsRules.validate(platform: platform, body: body, now: Date(), allowedHosts: allowedHosts)
                    try await store.setGateway(appId: app, settings: settings)
                    if platform == .webpush, case .array(let hosts)? = body["allowedEndpointHosts"] {
                        try await store.setAllowedEndpointHosts(appId: app, hosts: hosts.compactMap(\.stringValue))
                    }
                    print("\(platform.rawValue): connected")
                }
                print("start perch serve and perch worker with --allow-gateway-hosts \(allowedHosts) (or PERCH_ALLOW_GATEWAY_HOSTS=\(allowedHosts))")
            }
        }

        /// `host:port` of every URL in the simulator's credentials (APNs, FCM and its token URI, Web Push).
        static func simulatorHosts(_ credentials: [String: JSONValue]) -> GatewayHostAllowList {
            var urls: [String] = []
            for platform in ["apns", "fcm", "webpush"] {
                guard case .object(let body)? = credentials[platform] else { continue }
                urls += ["endpoint", "sandboxEndpoint", "url"].compactMap { body[$0]?.stringValue }
                if case .object(let account)? = body["serviceAccount"], let tokenURI = account["token_uri"]?.stringValue { urls.append(tokenURI) }
            }
            var entries: [GatewayHostAllowList.Entry] = []
            for url in urls.compactMap({ URL(string: $0) }) {
                guard let host = url.host else { continue }
                let entry = GatewayHostAllowList.Entry(host: host, port: url.port ?? 443)
                if !entries.contains(entry) { entries.append(entry) }
            }
            return GatewayHostAllowList(entries: entries)
        }
    }
}
