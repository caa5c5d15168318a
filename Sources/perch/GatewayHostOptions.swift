import ArgumentParser
import PerchCore

/// `--allow-gateway-hosts`: the operator's list of hosts gateway traffic may go to beyond Apple's, Google's and the
/// Web Push services (apps can only narrow it). For `serve`, `worker`, `send` and `import`, which must agree.
struct GatewayHostOptions: ParsableArguments {
    @Option(name: .customLong("allow-gateway-hosts"),
            help: "HOST[:PORT],… apps may use as APNs/FCM endpoints and Web Push endpoints beyond the real push services; HOST allows any port [PERCH_ALLOW_GATEWAY_HOSTS, default none]")
    var allowGatewayHosts: String?

    /// The parsed list; the flag wins over the variable.
    func allowList() throws -> GatewayHostAllowList {
        let setting = allowGatewayHosts == nil ? "PERCH_ALLOW_GATEWAY_HOSTS" : "--allow-gateway-hosts"
        guard let text = allowGatewayHosts ?? Environment.value("PERCH_ALLOW_GATEWAY_HOSTS") else { return .none }
        do {
            return try GatewayHostAllowList(parsing: text, setting: setting)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
