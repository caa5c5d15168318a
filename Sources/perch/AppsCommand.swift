import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchStore

struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apps", abstract: "Manage apps.",
                                                    subcommands: [Create.self, List.self, ConnectSimulator.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an app and print its keys (shown only once).")
        @Option(help: "The app's name") var name: String
        @Option(help: "iOS/Android bundle id") var bundleId: String?
        @Option(help: "Website origin, e.g. https://example.com") var webOrigin: String?
        @Option(help: "Web Push endpoint hosts exempt from the address policy (comma-separated), e.g. 127.0.0.1") var allowEndpointHosts: String?
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.withStore(logger: Logger(label: "perch")) { store in
                let created = try await store.createApp(name: name, bundleId: bundleId, webOrigin: webOrigin, now: Date())
                if let hosts = allowEndpointHosts {
                    try await store.setAllowedEndpointHosts(appId: created.app.id, hosts: hosts.split(separator: ",").map(String.init))
                }
                let output: JSONValue = [
                    "id": .string(created.app.id), "name": .string(created.app.name),
                    "publishableKey": .string(created.publishableKey.value), "secretKey": .string(created.secretKey.value),
                    "identitySecret": .string(created.identitySecret.value),
                    "identityVerification": .string(created.app.identityVerification.rawValue),
                    "vapidPublicKey": .string(created.app.vapidPublicKey),
                ]
                print(output.jsonText)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List apps (ids and names; keys are never stored in clear).")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await storeOptions.withStore(logger: Logger(label: "perch")) { store in
                for app in try await store.apps() {
                    print("\(app.id)\t\(app.name)\tidentity verification \(app.identityVerification.rawValue)")
                }
            }
        }
    }
}
