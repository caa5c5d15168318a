import ArgumentParser

@main
struct Perch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perch",
        abstract: "Self-hosted push token registry and delivery engine.",
        subcommands: [ServeCommand.self, AppsCommand.self, SendCommand.self, HygieneCommand.self, SimulateCommand.self, BenchCommand.self,
                      ImportCommand.self, ExportCommand.self, MigrateCommand.self, WorkerCommand.self, AnalyticsCommand.self]
    )
}
