/// An FCM HTTP v1 `errorCode` (from `error.details[].errorCode`), decoded with an `unknown` fallback.
public struct FCMErrorCode: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
    /// The known codes, and `unknown` for anything else.
    public enum Known: Sendable, Hashable {
        case unspecifiedError, invalidArgument, unregistered, senderIdMismatch, quotaExceeded
        case unavailable, internalError, thirdPartyAuthError
        case unknown(String)
    }

    /// The decoded code.
    public let known: Known
    /// The code exactly as FCM sent it.
    public let rawValue: String

    /// Decodes a code; never fails, unknown strings become ``Known/unknown(_:)``.
    public init(rawValue: String) {
        self.rawValue = rawValue
        switch rawValue {
        case "UNSPECIFIED_ERROR": known = .unspecifiedError
        case "INVALID_ARGUMENT": known = .invalidArgument
        case "UNREGISTERED": known = .unregistered
        case "SENDER_ID_MISMATCH": known = .senderIdMismatch
        case "QUOTA_EXCEEDED": known = .quotaExceeded
        case "UNAVAILABLE": known = .unavailable
        case "INTERNAL": known = .internalError
        case "THIRD_PARTY_AUTH_ERROR": known = .thirdPartyAuthError
        default: known = .unknown(rawValue)
        }
    }

    public var description: String { rawValue }

    public static let invalidArgument = Self(rawValue: "INVALID_ARGUMENT")
    public static let unregistered = Self(rawValue: "UNREGISTERED")
    public static let senderIdMismatch = Self(rawValue: "SENDER_ID_MISMATCH")
    public static let quotaExceeded = Self(rawValue: "QUOTA_EXCEEDED")
    public static let unavailable = Self(rawValue: "UNAVAILABLE")
    public static let internalError = Self(rawValue: "INTERNAL")
    public static let thirdPartyAuthError = Self(rawValue: "THIRD_PARTY_AUTH_ERROR")
}
