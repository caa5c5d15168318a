import Foundation

extension GatewayHostAllowList {
    /// A gateway setting that names where Perch sends: an APNs or FCM `endpoint`, or the FCM service account's
    /// `token_uri`. Each may name its real service, or a host the operator allows.
    public enum Override: Sendable, Hashable {
        case apnsEndpoint
        case fcmEndpoint
        case fcmTokenURI

        /// The real service's hosts and the ports it documents (Apple: 443, and 2197 for networks that block 443).
        public var realHosts: (hosts: Set<String>, ports: Set<Int>) {
            switch self {
            case .apnsEndpoint: (["api.push.apple.com", "api.sandbox.push.apple.com"], [443, 2197])
            case .fcmEndpoint: (["fcm.googleapis.com"], [443])
            case .fcmTokenURI: (["oauth2.googleapis.com"], [443])
            }
        }
    }

    /// Checks an override URL. Answers `true` when it is an operator-allowed host, `false` for the real service;
    /// anything else is a `forbidden_endpoint` error naming `field`.
    @discardableResult
    public func check(_ text: String, as override: Override, field: String) throws(PerchError) -> Bool {
        guard let url = URL(string: text), url.scheme?.lowercased() == "https", let host = url.host, !host.isEmpty,
              url.user == nil, url.password == nil
        else {
            throw PerchError.invalid(field, "\(field) must be an https URL")
        }
        let port = url.port ?? 443
        if allows(host: host, port: port) { return true }
        let real = override.realHosts
        if real.hosts.contains(Self.normalized(host)), real.ports.contains(port) { return false }
        let expected = real.hosts.sorted().joined(separator: " or ")
        throw PerchError(.forbiddenEndpoint,
                         "\(field) must be \(expected) (or a host the operator allows with --allow-gateway-hosts)", field: field)
    }
}
