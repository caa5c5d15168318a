/// Where a started ``PushSimulator`` listens and the credentials its services accept.
public struct SimulatorEndpoints: Sendable {
    /// APNs production host, e.g. `https://127.0.0.1:PORT`.
    public var apnsURL: String
    /// APNs sandbox (development) host.
    public var apnsSandboxURL: String
    /// FCM host: `POST {fcmURL}/token` (OAuth) and `POST {fcmURL}/v1/projects/{id}/messages:send`.
    public var fcmURL: String
    /// Web Push host; subscriptions' endpoints are `{webPushURL}/push/{id}`.
    public var webPushURL: String
    /// The simulator CA, PEM. Every listener's certificate chains to it (SAN 127.0.0.1, ::1, localhost).
    public var caCertificatePEM: String
    /// `stateDirectory/ca.pem` when a state directory is configured.
    public var caCertificatePath: String?
    /// `stateDirectory/credentials.json` when a state directory is configured.
    public var credentialsPath: String?
    /// The APNs provider key and topic.
    public var apns: APNsCredentials
    /// A Google service-account JSON: `type`, `project_id`, `private_key_id`, `private_key` (RSA PKCS#8 PEM),
    /// `client_email`, `token_uri` (`{fcmURL}/token`).
    public var fcmServiceAccountJSON: String
    /// The FCM project id in the service account.
    public var fcmProjectId: String

    public init(
        apnsURL: String, apnsSandboxURL: String, fcmURL: String, webPushURL: String,
        caCertificatePEM: String, caCertificatePath: String?, credentialsPath: String?,
        apns: APNsCredentials, fcmServiceAccountJSON: String, fcmProjectId: String
    ) {
        self.apnsURL = apnsURL
        self.apnsSandboxURL = apnsSandboxURL
        self.fcmURL = fcmURL
        self.webPushURL = webPushURL
        self.caCertificatePEM = caCertificatePEM
        self.caCertificatePath = caCertificatePath
        self.credentialsPath = credentialsPath
        self.apns = apns
        self.fcmServiceAccountJSON = fcmServiceAccountJSON
        self.fcmProjectId = fcmProjectId
    }
}
