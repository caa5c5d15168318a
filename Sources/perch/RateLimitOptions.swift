import ArgumentParser
import PerchCore

/// The abuse limits of the public routes (docs/security.md): `REQUESTS/PERIOD[:BURST]` or `off`.
struct RateLimitOptions: ParsableArguments {
    @Option(help: "Requests per installation on publishable-key routes, REQUESTS/PERIOD[:BURST] or off (default 60/m) [PERCH_RATE_INSTALLATION]")
    var rateInstallation: String?
    @Option(help: "Requests per client address with a publishable key, REQUESTS/PERIOD[:BURST] (default off) [PERCH_RATE_CLIENT]")
    var rateClient: String?
    @Option(help: "Requests per app's publishable key, all clients together, REQUESTS/PERIOD[:BURST] (default off) [PERCH_RATE_PUBLISHABLE_KEY]")
    var ratePublishableKey: String?
    @Option(help: "Buckets kept per kind of limit; idle ones are dropped first (default 100000) [PERCH_RATE_MAX_TRACKED]")
    var rateMaxTracked: Int?
    @Option(help: "Proxies whose X-Forwarded-For is believed, ADDRESS[/PREFIX],… (default none) [PERCH_TRUSTED_PROXIES]")
    var trustedProxies: String?

    func policy() throws -> RateLimitPolicy {
        var policy = RateLimitPolicy()
        policy.perInstallation = try Self.limit(rateInstallation, "PERCH_RATE_INSTALLATION", default: policy.perInstallation)
        policy.perClientAddress = try Self.limit(rateClient, "PERCH_RATE_CLIENT", default: nil)
        policy.perPublishableKey = try Self.limit(ratePublishableKey, "PERCH_RATE_PUBLISHABLE_KEY", default: nil)
        policy.maximumTracked = try WorkOptions.number(rateMaxTracked, "PERCH_RATE_MAX_TRACKED", in: 1_000...10_000_000) ?? policy.maximumTracked
        if let text = trustedProxies ?? Environment.value("PERCH_TRUSTED_PROXIES") {
            policy.trustedProxies = try text.split(separator: ",").map { item in
                guard let proxy = TrustedProxy(String(item)) else {
                    throw ValidationError("PERCH_TRUSTED_PROXIES: \(item) is not an address or ADDRESS/PREFIX")
                }
                return proxy
            }
        }
        return policy
    }

    static func limit(_ flag: String?, _ variable: String, default value: RateLimit?) throws -> RateLimit? {
        guard let text = flag ?? Environment.value(variable) else { return value }
        if ["off", "0", "none"].contains(text.lowercased()) { return nil }
        guard let limit = RateLimit(text) else {
            throw ValidationError("\(variable) must be REQUESTS/PERIOD[:BURST] (such as 60/m or 600/h:30) or off, not \(text)")
        }
        return limit
    }
}
