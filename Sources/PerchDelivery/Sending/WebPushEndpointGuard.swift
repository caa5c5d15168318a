import Foundation
import PerchCore
import PerchGateways

/// The check every Web Push send passes just before it connects (``WebPushClient/EndpointCheck``): the endpoint's
/// host must still be allowed (``EndpointPolicy``: a push service, or a host the operator allows, narrowed by the
/// app), a push service's host is resolved once — bounded and cached by ``CachingEndpointResolver`` — every address
/// must be public, and the send is pinned to the address checked, so a second DNS answer cannot redirect it.
public struct WebPushEndpointGuard: Sendable {
    public let policy: EndpointPolicy
    public let resolver: CachingEndpointResolver

    public init(policy: EndpointPolicy, resolver: CachingEndpointResolver) {
        self.policy = policy
        self.resolver = resolver
    }

    public func clearance(for url: URL) async -> WebPushEndpointClearance {
        let field = "subscription.endpoint"
        let operatorHost: Bool
        do { operatorHost = try policy.checkHost(of: url, field: field) } catch { return .refused(detail: error.message) }
        if operatorHost { return .connect }
        let addresses: [IPAddress]
        do { addresses = try await resolver.addresses(of: url.host ?? "") } catch { return .unresolved(detail: error.description) }
        do { try policy.checkResolved(addresses, field: field) } catch { return .refused(detail: error.message) }
        // IPv4 first: many hosts (containers above all) have no IPv6 route, and every address passed the check.
        let chosen = addresses.first { if case .v4 = $0 { true } else { false } } ?? addresses[0]
        return .connectPinned(address: chosen.description)
    }
}
