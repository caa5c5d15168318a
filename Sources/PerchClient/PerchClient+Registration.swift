import Foundation

extension PerchClient {
    /// The APNs environment a device token was issued for (the app's `aps-environment` entitlement).
    public enum APNsEnvironment: String, Sendable, Hashable, Codable {
        case production
        case sandbox
    }

    /// Facts about the installation sent with every registration; each defaults to the device's own.
    public struct InstallationDetails: Sendable, Hashable {
        /// The app's version (`CFBundleShortVersionString` by default).
        public var appVersion: String?
        /// BCP 47 locale, e.g. `en-US`.
        public var locale: String?
        /// IANA time zone, e.g. `Europe/Berlin`.
        public var timezone: String?
        /// Consent stated with the registration: `true` granted, `false` denied, `nil` unchanged.
        public var consentGranted: Bool?
        /// Attributes for segmentation.
        public var attributes: [String: PerchValue]?

        public init(appVersion: String? = Bundle.main.object(forInfoDictionaryKey: "CFBundleShortVersionString") as? String,
                    locale: String? = Locale.current.identifier.replacingOccurrences(of: "_", with: "-"),
                    timezone: String? = TimeZone.current.identifier, consentGranted: Bool? = nil,
                    attributes: [String: PerchValue]? = nil) {
            self.appVersion = appVersion
            self.locale = locale
            self.timezone = timezone
            self.consentGranted = consentGranted
            self.attributes = attributes
        }
    }

    /// Perch's answer to a registration.
    public struct Registration: Sendable, Hashable, Decodable {
        /// The token's id in Perch (the same token registered again keeps its id).
        public var id: String
        public var installationId: String
        /// `active` after a registration.
        public var status: String
        /// `granted`, `denied`, `revoked`, or `nil` when never stated.
        public var consent: String?
        public var userId: String?
        /// Whether Perch stored a token it did not know (HTTP 201) rather than refreshing one (200).
        public var created: Bool = false

        enum CodingKeys: String, CodingKey {
            case id, installationId, status, consent, userId
        }
    }

    struct RegistrationBody: Encodable {
        var platform: String
        var token: String
        var environment: String?
        var installationId: String
        var previousToken: String?
        var appVersion: String?
        var locale: String?
        var timezone: String?
        var consent: String?
        var attributes: [String: PerchValue]?
        var kind: String?
        var activityType: String?
        var activityId: String?
    }

    /// Registers the APNs device token from `didRegisterForRemoteNotificationsWithDeviceToken`
    /// (sent hex-encoded). Call it on every launch: it keeps `lastSeenAt` true, and a changed token
    /// replaces the previous one.
    @discardableResult
    public func register(apnsToken: Data, environment: APNsEnvironment, details: InstallationDetails = InstallationDetails()) async throws -> Registration {
        guard !apnsToken.isEmpty else { throw PerchClientError(.invalidArgument, "the APNs device token is empty") }
        return try await register(platform: "apns", token: Self.hex(apnsToken), environment: environment.rawValue, details: details)
    }

    /// Registers an FCM registration token (from `FirebaseMessaging`'s `messaging(_:didReceiveRegistrationToken:)`).
    @discardableResult
    public func register(fcmToken: String, details: InstallationDetails = InstallationDetails()) async throws -> Registration {
        guard !fcmToken.isEmpty else { throw PerchClientError(.invalidArgument, "the FCM token is empty") }
        return try await register(platform: "fcm", token: fcmToken, environment: nil, details: details)
    }

    /// Registers a token of any kind; `lastTokenKey` remembers the token of that slot, so a changed one names its
    /// predecessor (`previousToken`) and replaces it.
    func register(platform: String, token: String, environment: String?, details: InstallationDetails,
                  kind: String? = nil, activityType: String? = nil, activityId: String? = nil,
                  lastTokenKey: String = PerchClient.lastTokenKey) async throws -> Registration {
        let previous = storage.string(forKey: lastTokenKey)
        let body = RegistrationBody(
            platform: platform, token: token, environment: environment, installationId: try installationId(),
            previousToken: previous.flatMap { $0.hasPrefix(platform + ":") ? String($0.dropFirst(platform.count + 1)) : nil }
                .flatMap { $0 == token ? nil : $0 },
            appVersion: details.appVersion, locale: details.locale, timezone: details.timezone,
            consent: details.consentGranted.map { $0 ? "granted" : "denied" }, attributes: details.attributes,
            kind: kind, activityType: activityType, activityId: activityId)
        var (registration, status) = try await send("POST", "v1/tokens", body: body, as: Registration.self)
        registration.created = status == 201
        try? storage.set(platform + ":" + token, forKey: lastTokenKey)
        return registration
    }

    /// Lower-case hex, as APNs tokens travel.
    static func hex(_ token: Data) -> String {
        token.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }
}
