/// A push subscription handed out by the simulated push service, as a browser's
/// `PushSubscription.toJSON()` gives it: `{endpoint, keys: {p256dh, auth}}`.
public struct WebPushSubscriptionInfo: Sendable, Hashable, Codable {
    /// The push resource URL (`{webPushURL}/push/{id}`).
    public var endpoint: String
    /// The user agent's P-256 public key, uncompressed, base64url.
    public var p256dh: String
    /// The 16-byte authentication secret, base64url.
    public var auth: String

    public init(endpoint: String, p256dh: String, auth: String) {
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
    }

    private enum CodingKeys: String, CodingKey { case endpoint, keys }
    private enum KeyCodingKeys: String, CodingKey { case p256dh, auth }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let keys = try container.nestedContainer(keyedBy: KeyCodingKeys.self, forKey: .keys)
        self.init(
            endpoint: try container.decode(String.self, forKey: .endpoint),
            p256dh: try keys.decode(String.self, forKey: .p256dh),
            auth: try keys.decode(String.self, forKey: .auth))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(endpoint, forKey: .endpoint)
        var keys = container.nestedContainer(keyedBy: KeyCodingKeys.self, forKey: .keys)
        try keys.encode(p256dh, forKey: .p256dh)
        try keys.encode(auth, forKey: .auth)
    }
}
