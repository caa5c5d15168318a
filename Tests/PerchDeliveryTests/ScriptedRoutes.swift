import PerchCore
@testable import PerchDelivery

/// Every app's gateway is the scripted one.
struct ScriptedRoutes: GatewayRouting {
    let gateway: ScriptedGateway
    func route(appId: String, platform: Platform) async throws -> GatewayDirectory.Route {
        GatewayDirectory.Route(gateway: gateway, messagesPerSecond: nil)
    }
}
