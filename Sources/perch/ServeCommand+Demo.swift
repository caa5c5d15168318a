import ArgumentParser
import Foundation
import Logging
import PerchDemo
import PerchServer
import PerchSQLite
import PerchStore
import ServiceLifecycle

extension ServeCommand {
    /// Whether `--demo` or `PERCH_DEMO=1` asked for the demo.
    var isDemo: Bool {
        demo || Environment.isOn("PERCH_DEMO")
    }

    /// The store options, with the demo's own database (`perch-demo.sqlite`) unless one is named, so the
    /// demo never fills a real registry.
    var demoStoreOptions: StoreOptions {
        var options = storeOptions
        if isDemo, options.database == nil, Environment.value("PERCH_DATABASE_URL") == nil {
            options.database = "sqlite:perch-demo.sqlite"
        }
        return options
    }

    /// The simulators and the demo, when asked for; nothing otherwise.
    func demoServices(store: SQLiteStore?, server: DemoServerAddress, logger: Logger) async throws -> [any Service] {
        guard isDemo else { return [] }
        guard let store else { throw ValidationError("the demo runs on its own SQLite database; leave --database unset") }
        let size = try WorkOptions.number(demoSize, "PERCH_DEMO_SIZE", in: 10...2_000_000) ?? 50_000
        let output: @Sendable (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        output("demo: starting the APNs, FCM and Web Push simulators and the demo app (database \(store.path))")
        let (simulator, demo) = try await DemoService.prepare(
            store: store, databasePath: store.path, size: size, server: server,
            logger: Logger(label: "perch.demo"), output: output)
        return [simulator, demo]
    }
}
