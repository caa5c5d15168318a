import ArgumentParser
import Foundation
import Logging
import PerchCore
import PerchStore

struct HygieneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hygiene",
        abstract: "Mark unseen tokens stale and expired now, printing counts by reason (the same job `serve` runs hourly)."
    )

    @Flag(help: "Count what would change, change nothing") var dryRun = false
    @Option(help: "Stale window, e.g. 30d [PERCH_STALE_AFTER]") var staleAfter: String?
    @Option(help: "Expiry window, e.g. 270d [PERCH_EXPIRE_AFTER]") var expireAfter: String?
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await storeOptions.withStore(logger: Logger(label: "perch")) { store in
            let policy = try Self.policy(staleAfter: staleAfter, expireAfter: expireAfter, interval: nil)
            let report = try await store.runHygiene(policy: policy, now: Date(), dryRun: dryRun)
            let verb = dryRun ? "would mark" : "marked"
            print("\(verb) stale (not seen for \(staleAfter ?? "30d")): \(report.markedStale)")
            print("\(verb) expired (not seen for \(expireAfter ?? "270d")): \(report.markedExpired)")
        }
    }

    static func policy(staleAfter: String?, expireAfter: String?, interval: String?) throws -> HygienePolicy {
        var policy = HygienePolicy()
        func window(_ value: String?, _ variable: String, _ name: String) throws -> Duration? {
            guard let text = value ?? Environment.value(variable) else { return nil }
            guard let duration = HygienePolicy.parseWindow(text) else {
                throw ValidationError("--\(name) must be a number followed by d, h, m or s, e.g. 30d")
            }
            return duration
        }
        policy.staleAfter = try window(staleAfter, "PERCH_STALE_AFTER", "stale-after") ?? policy.staleAfter
        policy.expireAfter = try window(expireAfter, "PERCH_EXPIRE_AFTER", "expire-after") ?? policy.expireAfter
        policy.interval = try window(interval, "PERCH_HYGIENE_INTERVAL", "hygiene-interval") ?? policy.interval
        guard policy.expireAfter > policy.staleAfter else { throw ValidationError("--expire-after must be longer than --stale-after") }
        return policy
    }
}
