import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchStore

struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "analytics", abstract: "Check the numbers Perch serves.",
                                                    subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every rollup from the facts and print each difference; exits 1 on a difference unless --repair rebuilt them."
        )
        @Flag(help: "Rebuild the rollups from the facts when anything differs (writers wait while it runs)") var repair = false
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let verification = try await storeOptions.withStore(logger: Logger(label: "perch")) { store in
                try await store.verifyRollups(repair: repair)
            }
            for difference in verification.differences {
                print("\(difference.rollup) \(difference.key): stored \(difference.stored), facts \(difference.recomputed)")
            }
            let verdict = verification.differences.isEmpty ? "rollups match the facts"
                : verification.repaired ? "\(verification.differences.count) differences, repaired"
                : "\(verification.differences.count) differences (run with --repair to rebuild the rollups)"
            print("checked \(verification.groupsChecked) groups: \(verdict)")
            if !verification.differences.isEmpty && !verification.repaired { throw ExitCode(1) }
        }
    }
}
