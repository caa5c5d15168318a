import Foundation

/// The JSON body of `POST /v1/tokens`, as sent. Every field is optional here;
/// ``RegistrationBody/validated(endpointPolicy:)`` applies the rules.
public struct RegistrationBody: Sendable, Decodable {
    public struct Subscription: Sendable, Decodable {
        public struct Keys: Sendable, Decodable {
            public var p256dh: String?
            public var auth: String?
        }
        public var endpoint: String?
        public var keys: Keys?
        /// Part of `PushSubscription.toJSON()`; accepted and ignored.
        public var expirationTime: Double?
    }

    public var platform: String?
    public var token: String?
    public var subscription: Subscription?
    public var environment: String?
    public var installationId: String?
    public var userId: String?
    public var previousToken: String?
    public var appVersion: String?
    public var locale: String?
    public var timezone: String?
    public var consent: String?
    public var attributes: [String: JSONValue]?
    /// `device` (default), `voip`, `liveActivityStart` (with `activityType`) or `liveActivity` (with `activityType` and
    /// `activityId`).
    public var kind: String?
    public var activityType: String?
    public var activityId: String?
    /// Proof that the client may act as `userId` (an HS256 JWT from the app's backend); checked by the server, which
    /// alone knows the installation's current user and the caller's key (``IdentityVerification/needsProof(keyKind:currentUserId:requestedUserId:)``).
    public var userAuth: String?

    public init(platform: String? = nil, token: String? = nil, subscription: Subscription? = nil, environment: String? = nil,
                installationId: String? = nil, userId: String? = nil, previousToken: String? = nil, appVersion: String? = nil,
                locale: String? = nil, timezone: String? = nil, consent: String? = nil, attributes: [String: JSONValue]? = nil, userAuth: String? = nil,
                kind: String? = nil, activityType: String? = nil, activityId: String? = nil) {
        self.platform = platform
        self.token = token
        self.subscription = subscription
        self.environment = environment
        self.installationId = installationId
        self.userId = userId
        self.previousToken = previousToken
        self.appVersion = appVersion
        self.locale = locale
        self.timezone = timezone
        self.consent = consent
        self.attributes = attributes
        self.userAuth = userAuth
        self.kind = kind
        self.activityType = activityType
        self.activityId = activityId
    }

    /// Applies every field rule; the first broken one is thrown, naming its field.
    /// The endpoint's resolved addresses are checked by the caller (I/O).
    public func validated(endpointPolicy: EndpointPolicy) throws(PerchError) -> TokenRegistration {
        guard let platformName = platform else { throw .missing("platform") }
        guard let platform = Platform(rawValue: platformName) else {
            throw .invalid("platform", "platform must be one of apns, fcm, webpush")
        }
        let installationId = try FieldRules.installationId(installationId)
        let kind = try validatedKind(platform: platform)
        let destination: PushDestination
        var previous: String?
        switch platform {
        case .apns:
            // Absent means unknown: such a token is never retired on BadDeviceToken (the
            // sandbox/production mix-up must not wipe valid tokens).
            var environment: APNsEnvironment?
            if let name = self.environment {
                guard let parsed = APNsEnvironment(rawValue: name) else {
                    throw .invalid("environment", "environment must be production or sandbox")
                }
                environment = parsed
            }
            destination = .apns(token: try FieldRules.apnsToken(token), environment: environment)
            previous = try previousToken.map { (value) throws(PerchError) in try FieldRules.apnsToken(value, field: "previousToken") }
        case .fcm:
            if environment != nil { throw .invalid("environment", "environment applies to apns tokens only") }
            // A Live Activity token of an app that sends to iOS through FCM is still the APNs token ActivityKit gave it.
            if kind.isLiveActivity {
                destination = .fcm(token: try FieldRules.apnsToken(token))
                previous = try previousToken.map { (value) throws(PerchError) in try FieldRules.apnsToken(value, field: "previousToken") }
            } else {
                destination = .fcm(token: try FieldRules.fcmToken(token))
                previous = try previousToken.map { (value) throws(PerchError) in try FieldRules.fcmToken(value, field: "previousToken") }
            }
        case .webpush:
            if environment != nil { throw .invalid("environment", "environment applies to apns tokens only") }
            guard let subscription else { throw .missing("subscription") }
            let endpoint = try FieldRules.endpoint(subscription.endpoint)
            guard let keys = subscription.keys else { throw .missing("subscription.keys") }
            let p256dh = try FieldRules.p256dh(keys.p256dh)
            let auth = try FieldRules.authSecret(keys.auth)
            // Where it points, without DNS: its addresses are checked when sending (WebPushEndpointGuard).
            _ = try endpointPolicy.checkHost(of: endpoint, field: "subscription.endpoint")
            destination = .webpush(WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
            previous = try previousToken.map { (value) throws(PerchError) in
                try FieldRules.endpoint(value, field: "previousToken").absoluteString
            }
        }
        if platform != .webpush, subscription != nil {
            throw .invalid("subscription", "subscription applies to webpush only; send token")
        }
        let consent: ConsentStatus?
        if let name = self.consent {
            guard let parsed = ConsentStatus(rawValue: name), parsed != .revoked else {
                throw .invalid("consent", "consent at registration must be granted or denied")
            }
            consent = parsed
        } else {
            consent = nil
        }
        return TokenRegistration(
            installationId: installationId,
            destination: destination,
            userId: try userId.map { (value) throws(PerchError) in try FieldRules.userId(value) },
            previousToken: previous,
            appVersion: try FieldRules.appVersion(appVersion),
            locale: try FieldRules.locale(locale),
            timezone: try FieldRules.timezone(timezone),
            consent: consent,
            attributes: try FieldRules.attributes(attributes),
            kind: kind
        )
    }

    /// The token's kind: VoIP and Live Activity tokens are Apple's, and each Live Activity kind names what it belongs to.
    func validatedKind(platform: Platform) throws(PerchError) -> TokenKind {
        let name: TokenKindName
        if let text = self.kind {
            guard let parsed = TokenKindName(rawValue: text) else {
                throw .invalid("kind", "kind must be one of device, voip, liveActivityStart, liveActivity")
            }
            name = parsed
        } else {
            name = .device
        }
        let kind: TokenKind
        switch name {
        case .device, .voip:
            if activityType != nil { throw .invalid("activityType", "activityType applies to liveActivityStart and liveActivity tokens only") }
            if activityId != nil { throw .invalid("activityId", "activityId applies to liveActivity tokens only") }
            kind = name == .device ? .device : .voip
        case .liveActivityStart:
            if activityId != nil { throw .invalid("activityId", "activityId applies to liveActivity tokens only") }
            kind = .liveActivityStart(activityType: try FieldRules.activityType(activityType))
        case .liveActivity:
            kind = .liveActivity(activityType: try FieldRules.activityType(activityType), activityId: try FieldRules.activityId(activityId))
        }
        guard kind.platforms.contains(platform) else {
            let platforms = kind.platforms.map(\.rawValue).sorted().joined(separator: " or ")
            throw .invalid("kind", "\(name.rawValue) tokens are Apple's: register them with platform \(platforms)")
        }
        return kind
    }
}
