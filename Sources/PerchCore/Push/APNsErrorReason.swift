/// An APNs error `reason`, decoded with an `unknown` fallback so that a reason Apple adds later is kept verbatim
/// (and, by the outcome table, never retires a token).
public struct APNsErrorReason: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The known reasons, and `unknown` for anything else.
    public enum Known: Sendable, Hashable {
        case badCollapseId, badDeviceToken, badExpirationDate, badMessageId, badPriority, badTopic
        case deviceTokenNotForTopic, duplicateHeaders, idleTimeout, invalidPushType, missingDeviceToken
        case missingTopic, payloadEmpty, topicDisallowed
        case badCertificate, badCertificateEnvironment, expiredProviderToken, forbidden
        case invalidProviderToken, missingProviderToken, unrelatedKeyIdInToken, badEnvironmentKeyInToken
        case badPath, methodNotAllowed
        case expiredToken, unregistered
        case payloadTooLarge
        case tooManyProviderTokenUpdates, tooManyRequests
        case internalServerError, serviceUnavailable, shutdown
        case unknown(String)
    }

    /// The decoded reason.
    public let known: Known

    private static let table: [String: Known] = [
        "BadCollapseId": .badCollapseId, "BadDeviceToken": .badDeviceToken, "BadExpirationDate": .badExpirationDate,
        "BadMessageId": .badMessageId, "BadPriority": .badPriority, "BadTopic": .badTopic,
        "DeviceTokenNotForTopic": .deviceTokenNotForTopic, "DuplicateHeaders": .duplicateHeaders,
        "IdleTimeout": .idleTimeout, "InvalidPushType": .invalidPushType, "MissingDeviceToken": .missingDeviceToken,
        "MissingTopic": .missingTopic, "PayloadEmpty": .payloadEmpty, "TopicDisallowed": .topicDisallowed,
        "BadCertificate": .badCertificate, "BadCertificateEnvironment": .badCertificateEnvironment,
        "ExpiredProviderToken": .expiredProviderToken, "Forbidden": .forbidden,
        "InvalidProviderToken": .invalidProviderToken, "MissingProviderToken": .missingProviderToken,
        "UnrelatedKeyIdInToken": .unrelatedKeyIdInToken, "BadEnvironmentKeyInToken": .badEnvironmentKeyInToken,
        "BadPath": .badPath, "MethodNotAllowed": .methodNotAllowed,
        "ExpiredToken": .expiredToken, "Unregistered": .unregistered, "PayloadTooLarge": .payloadTooLarge,
        "TooManyProviderTokenUpdates": .tooManyProviderTokenUpdates, "TooManyRequests": .tooManyRequests,
        "InternalServerError": .internalServerError, "ServiceUnavailable": .serviceUnavailable, "Shutdown": .shutdown,
    ]

    /// The reason exactly as APNs sent it.
    public let rawValue: String

    /// Decodes a reason; never fails, unknown strings become ``Known/unknown(_:)``.
    public init(rawValue: String) {
        self.rawValue = rawValue
        self.known = Self.table[rawValue] ?? .unknown(rawValue)
    }

    public var description: String { rawValue }

    public static let badDeviceToken = Self(rawValue: "BadDeviceToken")
    public static let deviceTokenNotForTopic = Self(rawValue: "DeviceTokenNotForTopic")
    public static let unregistered = Self(rawValue: "Unregistered")
    public static let expiredToken = Self(rawValue: "ExpiredToken")
    public static let payloadTooLarge = Self(rawValue: "PayloadTooLarge")
    public static let tooManyRequests = Self(rawValue: "TooManyRequests")
    public static let tooManyProviderTokenUpdates = Self(rawValue: "TooManyProviderTokenUpdates")
    public static let expiredProviderToken = Self(rawValue: "ExpiredProviderToken")
    public static let invalidProviderToken = Self(rawValue: "InvalidProviderToken")
    public static let missingProviderToken = Self(rawValue: "MissingProviderToken")
    public static let internalServerError = Self(rawValue: "InternalServerError")
    public static let serviceUnavailable = Self(rawValue: "ServiceUnavailable")
}
