import PerchCore

/// Where a delivery worker finds an app's gateway: the seam between sending and the gateways' construction, so the
/// worker's rules (leases, throttling, verdicts) are tested with a scripted gateway in place of a network one.
public protocol GatewayRouting: Sendable {
    /// The app's gateway for `platform` with its rate limit; a `gateway_not_configured` error when it has no settings.
    func route(appId: String, platform: Platform) async throws -> GatewayDirectory.Route
}

extension GatewayDirectory: GatewayRouting {}
