/// What the publishable key is told when it changes an installation (unregister, consent, identify, logout): only
/// what the request itself said, and the same whether Perch knows the installation or not. Anyone may hold the
/// publishable key, so its answers must not say which installation ids exist, nor whom an installation belongs to;
/// the secret key still gets the installation as Perch holds it, and a 404 for an unknown one.
struct PublicInstallationView: Encodable, Sendable {
    var installationId: String
    /// The user bound by identify; `nil` (`null`) after logout; absent otherwise.
    var userId: String??
    /// `revoked` after an unregistration.
    var status: String?
    /// The consent just recorded, shaped as the installation view's `consent`.
    var consent: Consent?

    struct Consent: Encodable, Sendable {
        var status: String
        var source: String
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(installationId, forKey: .installationId)
        if let userId { try container.encode(userId, forKey: .userId) }
        try container.encodeIfPresent(status, forKey: .status)
        try container.encodeIfPresent(consent, forKey: .consent)
    }

    private enum CodingKeys: String, CodingKey {
        case installationId, userId, status, consent
    }
}
