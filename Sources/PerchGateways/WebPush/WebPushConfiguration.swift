import Foundation

/// One app's Web Push settings, from `PUT /v1/apps/{appId}/gateways/webpush`.
public struct WebPushConfiguration: Sendable, Hashable {
    /// The VAPID `sub`: a `mailto:` or `https:` URI the push service can reach the operator at.
    public var subject: String
    /// The VAPID private key (PEM, or base64url of the raw 32 bytes).
    public var vapidPrivateKey: String
    /// Hosts endpoints may point at (exact, or a subdomain of an entry; a leading `*.` is accepted). Empty: any
    /// host, subject to the endpoint check given to ``PushGateways/webPush(_:endpointCheck:)``.
    public var allowedEndpointHosts: [String]
    /// A PEM CA certificate to trust instead of the system roots (for a local push service).
    public var caCertificatePEM: String?
    /// The bound on one request.
    public var requestTimeout: Duration
    /// How long a VAPID token is valid (`exp` − now); at most 24 hours.
    public var tokenLifetime: Duration

    /// Creates a configuration.
    public init(
        subject: String,
        vapidPrivateKey: String,
        allowedEndpointHosts: [String] = [],
        caCertificatePEM: String? = nil,
        requestTimeout: Duration = .seconds(10),
        tokenLifetime: Duration = .seconds(12 * 3600)
    ) {
        self.subject = subject
        self.vapidPrivateKey = vapidPrivateKey
        self.allowedEndpointHosts = allowedEndpointHosts
        self.caCertificatePEM = caCertificatePEM
        self.requestTimeout = requestTimeout
        self.tokenLifetime = min(tokenLifetime, .seconds(24 * 3600))
    }

    /// Whether `host` is allowed by ``allowedEndpointHosts``.
    public func allows(host: String) -> Bool {
        if allowedEndpointHosts.isEmpty { return true }
        let host = host.lowercased()
        return allowedEndpointHosts.contains { entry in
            var entry = entry.lowercased()
            if entry.hasPrefix("*.") { entry.removeFirst(2) }
            return host == entry || host.hasSuffix("." + entry)
        }
    }
}
