/// One app's FCM HTTP v1 settings, from `PUT /v1/apps/{appId}/gateways/fcm`.
public struct FCMConfiguration: Sendable, Hashable {
    /// The Google service account JSON (`project_id`, `client_email`, `private_key`, `token_uri`, …), verbatim.
    public var serviceAccountJSON: String
    /// Overrides `https://fcm.googleapis.com`, e.g. the simulator's URL. The OAuth endpoint is always the
    /// service account's `token_uri`.
    public var endpoint: String?
    /// A PEM CA certificate to trust instead of the system roots (for `endpoint` and `token_uri`).
    public var caCertificatePEM: String?
    /// The bound on one request (the OAuth exchange and the send each get it).
    public var requestTimeout: Duration

    /// Creates a configuration.
    public init(serviceAccountJSON: String, endpoint: String? = nil, caCertificatePEM: String? = nil, requestTimeout: Duration = .seconds(10)) {
        self.serviceAccountJSON = serviceAccountJSON
        self.endpoint = endpoint
        self.caCertificatePEM = caCertificatePEM
        self.requestTimeout = requestTimeout
    }

    /// `https://fcm.googleapis.com` or the override, without a trailing slash.
    public var baseURL: String {
        guard let endpoint, !endpoint.isEmpty else { return "https://fcm.googleapis.com" }
        return endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    }
}
