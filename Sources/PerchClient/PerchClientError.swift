import Foundation

/// What went wrong in a ``PerchClient`` call: a stable ``Code``, the HTTP status and Perch's own
/// error code when the server answered, and a message for people.
///
/// Messages never contain a token or a key.
public struct PerchClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case network
            case server
            case rejected
            case unauthorized
            case invalidResponse = "invalid_response"
            case invalidArgument = "invalid_argument"
        }
        fileprivate let base: Base
        public var description: String { base.rawValue }

        /// The server could not be reached, or the connection broke; retried until the policy gave up.
        public static let network = Code(base: .network)
        /// The server answered 5xx or 429 on every attempt.
        public static let server = Code(base: .server)
        /// The server refused the request (4xx other than 401 and 429); never retried — fix the call.
        public static let rejected = Code(base: .rejected)
        /// The key is missing, unknown or lacks the scope (401/403); never retried.
        public static let unauthorized = Code(base: .unauthorized)
        /// The server's answer could not be read.
        public static let invalidResponse = Code(base: .invalidResponse)
        /// An argument broke a rule before anything was sent (for example an empty device token).
        public static let invalidArgument = Code(base: .invalidArgument)
    }

    /// The kind of failure.
    public var code: Code
    /// The last HTTP status, when the server answered.
    public var status: Int?
    /// Perch's `error.code` (`invalid_field`, `not_found`, …), when the server sent one.
    public var serverCode: String?
    /// The field Perch named as at fault, when it did.
    public var field: String?
    /// A human-readable explanation.
    public var message: String
    /// How many attempts were made.
    public var attempts: Int

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: Int? = nil, serverCode: String? = nil, field: String? = nil, attempts: Int = 1) {
        self.code = code
        self.message = message
        self.status = status
        self.serverCode = serverCode
        self.field = field
        self.attempts = attempts
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let status { text += " (HTTP \(status)" + (serverCode.map { ", \($0)" } ?? "") + (field.map { ", field \($0)" } ?? "") + ")" }
        if attempts > 1 { text += " after \(attempts) attempts" }
        return text
    }
}
