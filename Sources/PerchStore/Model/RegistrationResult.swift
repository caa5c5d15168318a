import PerchCore

/// The answer to a registration: `POST /v1/tokens`.
public struct RegistrationResult: Sendable, Hashable {
    /// The token row's id (stable across identical registrations).
    public var tokenId: String
    public var installationId: String
    public var status: TokenStatus
    public var consent: ConsentStatus?
    public var userId: String?
    /// A new token row was created (201) rather than an existing one updated (200).
    public var created: Bool

    /// For store backends.
    public init(tokenId: String, installationId: String, status: TokenStatus, consent: ConsentStatus?, userId: String?, created: Bool) {
        self.tokenId = tokenId
        self.installationId = installationId
        self.status = status
        self.consent = consent
        self.userId = userId
        self.created = created
    }
}
