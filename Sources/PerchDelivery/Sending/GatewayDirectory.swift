import Foundation
import PerchCore
import PerchGateways
import PerchStore
import Synchronization

/// Builds each app's gateways from its stored settings and keeps them while the settings
/// hold, so provider, access and VAPID tokens are reused across sends.
public final class GatewayDirectory: Sendable {
    private struct Key: Hashable {
        var appId: String
        var platform: Platform
    }
    private struct Entry {
        var updatedAt: Date
        /// When the stored settings were last compared with this entry.
        var checkedAt: ContinuousClock.Instant
        var route: Route
    }

    /// How long a built gateway is used before the stored settings are read again (another process may have changed
    /// them); this process's own changes take effect at once through ``forget(appId:platform:)``.
    static let recheckInterval: Duration = .seconds(1)

    /// An app's gateway for one platform and its throttle.
    public struct Route: Sendable {
        public var gateway: any PushGateway
        /// The app's rate limit on this gateway (`messagesPerSecond` in its settings), if any.
        public var messagesPerSecond: Double?
    }

    let store: any RegistryBackend
    let gateways: PushGateways
    /// The operator's hosts beyond the real push services (`--allow-gateway-hosts`).
    public let allowedHosts: GatewayHostAllowList
    let resolver: CachingEndpointResolver
    private let entries = Mutex<[Key: Entry]>([:])

    /// - Parameters:
    ///   - allowedHosts: the hosts gateway traffic may go to beyond Apple's, Google's and the Web Push services; stored
    ///     settings that send elsewhere are refused when the gateway is built.
    ///   - resolver: resolves Web Push hosts at send time.
    public init(store: any RegistryBackend, gateways: PushGateways, allowedHosts: GatewayHostAllowList,
                resolver: CachingEndpointResolver = CachingEndpointResolver()) {
        self.store = store
        self.gateways = gateways
        self.allowedHosts = allowedHosts
        self.resolver = resolver
    }

    /// The app's gateway for `platform`; a `gateway_not_configured` error when it has no settings.
    public func gateway(appId: String, platform: Platform) async throws -> any PushGateway {
        try await route(appId: appId, platform: platform).gateway
    }

    /// The app's gateway for `platform` with its rate limit; a `gateway_not_configured` error when it has no settings.
    public func route(appId: String, platform: Platform) async throws -> Route {
        let key = Key(appId: appId, platform: platform)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.checkedAt < Self.recheckInterval { return entry.route }
        guard let settings = try await store.gateway(appId: appId, platform: platform) else {
            throw PerchError(.gatewayNotConfigured, "the app has no \(platform.rawValue) credentials; PUT /v1/apps/\(appId)/gateways/\(platform.rawValue)",
                             field: "gateways.\(platform.rawValue)")
        }
        if let entry = entries.withLock({ $0[key] }), entry.updatedAt == settings.updatedAt {
            entries.withLock { $0[key]?.checkedAt = now }
            return entry.route
        }
        guard case .object(let stored) = settings.settings else { throw PerchError(.internalError, "stored gateway settings are not an object") }
        do {
            try GatewaySettingsRules.checkDestinations(platform: platform, body: stored, allowedHosts: allowedHosts)
        } catch {
            throw PerchError(.gatewayNotConfigured, "the stored \(platform.rawValue) settings send where the operator does not allow: \(error.message)",
                             field: "gateways.\(platform.rawValue)")
        }
        let configuration = try await configuration(appId: appId, settings: settings)
        let policy = try await store.app(id: appId)?.endpointPolicy(operatorHosts: allowedHosts) ?? EndpointPolicy(operatorHosts: allowedHosts)
        let endpointGuard = WebPushEndpointGuard(policy: policy, resolver: resolver)
        let gateway: any PushGateway
        do {
            gateway = try gateways.gateway(for: configuration) { url in await endpointGuard.clearance(for: url) }
        } catch {
            throw PerchError(.gatewayNotConfigured, "the stored \(platform.rawValue) settings are unusable: \(error)", field: "gateways.\(platform.rawValue)")
        }
        guard case .object(let body) = settings.settings else { throw PerchError(.internalError, "stored gateway settings are not an object") }
        let route = Route(gateway: gateway, messagesPerSecond: body["messagesPerSecond"]?.numberValue)
        entries.withLock { $0[key] = Entry(updatedAt: settings.updatedAt, checkedAt: now, route: route) }
        return route
    }

    /// Drops the app's gateway for `platform`, so the next send builds it from the settings just stored.
    public func forget(appId: String, platform: Platform) {
        _ = entries.withLock { $0.removeValue(forKey: Key(appId: appId, platform: platform)) }
    }

    /// Maps the public contract's gateway settings onto the clients' configuration.
    func configuration(appId: String, settings: GatewaySettings) async throws -> GatewayConfiguration {
        guard case .object(let body) = settings.settings else { throw PerchError(.internalError, "stored gateway settings are not an object") }
        func text(_ key: String) -> String? { body[key]?.stringValue }
        switch settings.platform {
        case .apns:
            return .apns(APNsConfiguration(
                teamId: text("teamId") ?? "", keyId: text("keyId") ?? "", privateKeyPEM: text("privateKey") ?? "", topic: text("topic") ?? "",
                environment: text("environment").flatMap(APNsEnvironment.init(rawValue:)) ?? .production,
                endpoint: text("endpoint"), caCertificatePEM: text("caCertificate")))
        case .fcm:
            return .fcm(FCMConfiguration(serviceAccountJSON: body["serviceAccount"]?.jsonText ?? "{}", endpoint: text("endpoint"),
                                         caCertificatePEM: text("caCertificate")))
        case .webpush:
            var vapid = text("vapidPrivateKey")
            if vapid == nil { vapid = Base64URL.encode(try await store.vapidPrivateKey(appId: appId)) }
            // `allowedEndpointHosts` is enforced by the endpoint policy (WebPushEndpointGuard, the check above), which
            // also refuses non-public addresses; the client's own host list stays open.
            return .webPush(WebPushConfiguration(subject: text("subject") ?? "", vapidPrivateKey: vapid ?? "", caCertificatePEM: text("caCertificate")))
        }
    }
}
