/// What a provider needs to authenticate to the simulated APNs with a token (.p8) key.
public struct APNsCredentials: Sendable, Hashable, Codable {
    /// `iss` of the provider token.
    public var teamId: String
    /// `kid` of the provider token.
    public var keyId: String
    /// The ES256 signing key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as Apple's .p8 files are.
    public var privateKeyPEM: String
    /// The topic (bundle id) the key may push to.
    public var topic: String

    public init(teamId: String, keyId: String, privateKeyPEM: String, topic: String) {
        self.teamId = teamId
        self.keyId = keyId
        self.privateKeyPEM = privateKeyPEM
        self.topic = topic
    }
}
