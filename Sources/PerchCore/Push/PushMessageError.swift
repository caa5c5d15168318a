/// Why a ``PushMessage`` cannot be rendered for a platform. Found before anything is sent;
/// it is a message error: don't retry, don't touch the token.
public struct PushMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case payloadTooLarge(size: Int, limit: Int)
        case invalidHeader(String)
        case collapseIdTooLong
        case topicInvalid
    }

    private let code: Code

    /// The rendered payload is larger than the platform accepts.
    public static func payloadTooLarge(size: Int, limit: Int) -> Self { .init(code: .payloadTooLarge(size: size, limit: limit)) }
    /// A header in a per-platform block has a value the platform rejects; the header's name is kept.
    public static func invalidHeader(_ name: String) -> Self { .init(code: .invalidHeader(name)) }
    /// `apns-collapse-id` is longer than 64 bytes.
    public static let collapseIdTooLong = Self(code: .collapseIdTooLong)
    /// The Web Push `Topic` is longer than 32 characters or not base64url.
    public static let topicInvalid = Self(code: .topicInvalid)

    /// A short machine-readable reason, used as the outcome's reason code.
    public var reason: String {
        switch code {
        case .payloadTooLarge: return "PayloadTooLarge"
        case .invalidHeader: return "InvalidHeader"
        case .collapseIdTooLong: return "BadCollapseId"
        case .topicInvalid: return "BadTopic"
        }
    }

    public var description: String {
        switch code {
        case .payloadTooLarge(let size, let limit): return "payload is \(size) bytes, the limit is \(limit)"
        case .invalidHeader(let name): return "header \(name) has an invalid value"
        case .collapseIdTooLong: return "apns-collapse-id is longer than 64 bytes"
        case .topicInvalid: return "Topic must be at most 32 base64url characters"
        }
    }
}
