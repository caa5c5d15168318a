import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchStore

/// The HTTP API of the public contract, bound to a store. Each route group lives in a
/// `PerchAPI+Group.swift` extension and is added by ``PerchAPI/addRoutes(to:)``.
public struct PerchAPI: Sendable {
    let store: any PerchStore
    let resolver: any EndpointResolver
    let metrics: PerchMetrics
    /// Sends through the app's gateways; `nil` on a server without gateways (`POST /v1/send` answers 501).
    let sender: DirectSend?
    let gateways: GatewayDirectory?
    let campaignResolver: CampaignResolver
    let now: @Sendable () -> Date
    /// The abuse limits of the public routes; their buckets live as long as this value's copies.
    let rateLimits: RateLimits

    public init(store: any PerchStore, resolver: any EndpointResolver = SystemEndpointResolver(), metrics: PerchMetrics,
                gateways: GatewayDirectory? = nil, now: @escaping @Sendable () -> Date = Date.init,
                rateLimits: RateLimitPolicy = RateLimitPolicy()) {
        self.store = store
        self.resolver = resolver
        self.metrics = metrics
        self.sender = gateways.map { DirectSend(store: store, gateways: $0, now: now) }
        self.gateways = gateways
        self.campaignResolver = CampaignResolver(store: store, logger: Logger(label: "perch.campaigns"))
        self.now = now
        self.rateLimits = RateLimits(policy: rateLimits)
    }

    public func addRoutes(to router: Router<PerchRequestContext>) {
        addOperationsRoutes(to: router)
        addAppRoutes(to: router)
        addRegistryRoutes(to: router)
        addUserRoutes(to: router)
        addEventRoutes(to: router)
        addMetricsRoutes(to: router)
        addSendRoutes(to: router)
        addSegmentRoutes(to: router)
        addCampaignRoutes(to: router)
        addExportRoutes(to: router)
        addGorushRoutes(to: router)
        addSDKRoutes(to: router)
    }
}

extension Parameters {
    /// A path parameter checked against the identifier rules, or a 400 naming it.
    func identifier(_ name: String, rule: (String?, String) throws(PerchError) -> String) throws -> String {
        try rule(self.get(name), name)
    }
}
