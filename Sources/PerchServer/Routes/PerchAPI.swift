import Foundation
import Hummingbird
import Logging
import PerchCore
import PerchDelivery
import PerchHealth
import PerchStore

/// The HTTP API of the public contract, bound to a store. Each route group lives in a
/// `PerchAPI+Group.swift` extension and is added by ``PerchAPI/addRoutes(to:)``.
public struct PerchAPI: Sendable {
    let store: any PerchStore
    /// The operator's hosts beyond the real push services (`--allow-gateway-hosts`): where gateway settings and Web
    /// Push endpoints may point.
    let allowedGatewayHosts: GatewayHostAllowList
    let metrics: PerchMetrics
    /// The app's gateways; `nil` on a server without them (`POST /v1/send` and `/api/push` answer 501).
    let gateways: GatewayDirectory?
    let campaignResolver: CampaignResolver
    /// `POST /v1/send`, `/api/push` and Live Activity sends, queued and awaited.
    let sends: SendQueue
    /// Where this process's delivery worker reports recorded batches; `POST /v1/send` and `/api/push` wait on it.
    public var outcomes: DeliveryOutcomes { sends.outcomes }
    let now: @Sendable () -> Date
    /// The API keys ``AuthMiddleware`` has looked up; a rotation on this process empties the app's entries at once.
    let keyCache = PrincipalCache()
    /// Who may read `GET /metrics` on the API's listener (``MetricsAccess``); closed unless a token is set.
    public var metricsAccess = MetricsAccess(token: nil, openWithoutToken: false)
    /// Whether the working example page `/sdk/example.html` and its worker are served (`--sdk-example`). Off by
    /// default: a page on the API's origin is only for trying the SDK out.
    public var servesSDKExample = false

    /// The abuse limits of the public routes; their buckets live as long as this value's copies.
    let rateLimits: RateLimits

    public init(store: any PerchStore, allowedGatewayHosts: GatewayHostAllowList = .none, metrics: PerchMetrics,
                gateways: GatewayDirectory? = nil, now: @escaping @Sendable () -> Date = Date.init,
                rateLimits: RateLimitPolicy = RateLimitPolicy()) {
        self.store = store
        self.allowedGatewayHosts = allowedGatewayHosts
        self.metrics = metrics
        self.gateways = gateways
        self.campaignResolver = CampaignResolver(store: store, logger: Logger(label: "perch.campaigns"))
        self.sends = SendQueue(store: store, resolver: campaignResolver, now: now)
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
        addLiveActivityRoutes(to: router)
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
