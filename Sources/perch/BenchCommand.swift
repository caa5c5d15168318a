import ArgumentParser
import Hummingbird
import Logging

/// Helpers for the benchmarks under `bench/`.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmark helpers (see bench/).", subcommands: [Ceiling.self]
    )

    /// The ceiling a registration benchmark is compared with: the same HTTP stack
    /// answering a trivial route, on the same machine, in the same run.
    struct Ceiling: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve a trivial Hummingbird route (POST/GET /ping).")
        @Option(help: "Address to listen on") var host = "127.0.0.1"
        @Option(help: "Port to listen on") var port = 8081

        func run() async throws {
            var logger = Logger(label: "perch.bench")
            logger.logLevel = .warning
            let router = Router()
            router.get("/ping") { _, _ in "pong" }
            router.post("/ping") { _, _ in "pong" }
            let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
            try await app.runService()
        }
    }
}
