/// When a cached credential (APNs provider token, OAuth access token, VAPID token) is renewed.
public struct CredentialRefreshPolicy: Sendable, Hashable {
    /// Never renew a credential younger than this, even when told it is invalid (APNs answers
    /// `TooManyProviderTokenUpdates` to tokens renewed more often than every 20 minutes).
    public var minimumAge: Duration
    /// Renew a credential this old, whatever its expiry.
    public var renewalAge: Duration?
    /// Renew this long before the credential's expiry (at most half its lifetime).
    public var expiryMargin: Duration

    /// Creates a policy.
    public init(minimumAge: Duration = .zero, renewalAge: Duration? = nil, expiryMargin: Duration = .zero) {
        self.minimumAge = minimumAge
        self.renewalAge = renewalAge
        self.expiryMargin = expiryMargin
    }

    /// APNs provider tokens: reused, renewed at 50 minutes (Apple: between 20 and 60), never before 20.
    public static let apnsProviderToken = Self(minimumAge: .seconds(20 * 60), renewalAge: .seconds(50 * 60))
    /// OAuth access tokens: cached until five minutes before `expires_in` runs out.
    public static let oauthAccessToken = Self(expiryMargin: .seconds(5 * 60))
    /// VAPID tokens: cached per origin until an hour before their `exp`.
    public static let vapidToken = Self(expiryMargin: .seconds(60 * 60))
}
