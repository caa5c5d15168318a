import PerchCore

/// One app's APNs settings, from `PUT /v1/apps/{appId}/gateways/apns`.
public struct APNsConfiguration: Sendable, Hashable {
    /// The Apple Developer Team ID (the provider token's `iss`).
    public var teamId: String
    /// The key ID of the `.p8` signing key (the provider token's `kid`).
    public var keyId: String
    /// The `.p8` key: a PEM `-----BEGIN PRIVATE KEY-----` P-256 key.
    public var privateKeyPEM: String
    /// The app's bundle ID, sent as `apns-topic` (`.voip` is appended for VoIP pushes).
    public var topic: String
    /// Which APNs environment this connection talks to.
    public var environment: APNsEnvironment
    /// Overrides the Apple host, e.g. `https://127.0.0.1:8443` for the simulator.
    public var endpoint: String?
    /// A PEM CA certificate to trust instead of the system roots (for `endpoint`).
    public var caCertificatePEM: String?
    /// The bound on one request, from sending to the complete answer.
    public var requestTimeout: Duration

    /// Creates a configuration.
    public init(
        teamId: String,
        keyId: String,
        privateKeyPEM: String,
        topic: String,
        environment: APNsEnvironment = .production,
        endpoint: String? = nil,
        caCertificatePEM: String? = nil,
        requestTimeout: Duration = .seconds(10)
    ) {
        self.teamId = teamId
        self.keyId = keyId
        self.privateKeyPEM = privateKeyPEM
        self.topic = topic
        self.environment = environment
        self.endpoint = endpoint
        self.caCertificatePEM = caCertificatePEM
        self.requestTimeout = requestTimeout
    }

    /// `https://api.push.apple.com` or `https://api.sandbox.push.apple.com`, or the override.
    public var baseURL: String {
        if let endpoint, !endpoint.isEmpty { return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint }
        switch environment {
        case .production: return "https://api.push.apple.com"
        case .sandbox: return "https://api.sandbox.push.apple.com"
        }
    }
}
