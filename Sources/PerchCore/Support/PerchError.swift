/// The error every Perch operation reports to a caller: a stable machine-readable
/// code, a human message and, for bad input, the field at fault.
///
/// Messages never contain a raw token, key or secret.
public struct PerchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code, shown as `error.code` in API answers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable {
            case invalidField = "invalid_field"
            case missingField = "missing_field"
            case malformedBody = "malformed_body"
            case bodyTooLarge = "body_too_large"
            case unsupportedMediaType = "unsupported_media_type"
            case rateLimited = "rate_limited"
            case forbiddenEndpoint = "forbidden_endpoint"
            case unauthorized
            case forbidden
            case notFound = "not_found"
            case conflict
            case unsupported
            case gatewayNotConfigured = "gateway_not_configured"
            case idempotencyKeyReused = "idempotency_key_reused"
            case idempotencyKeyInProgress = "idempotency_key_in_progress"
            case internalError = "internal"
        }
        fileprivate let base: Base
        public var description: String { base.rawValue }

        /// A field is present but its value breaks a rule.
        public static let invalidField = Code(base: .invalidField)
        /// A required field is absent.
        public static let missingField = Code(base: .missingField)
        /// The body is not JSON of the expected shape.
        public static let malformedBody = Code(base: .malformedBody)
        /// The body is over the route's limit.
        public static let bodyTooLarge = Code(base: .bodyTooLarge)
        /// A body that is not `application/json` sent to a JSON route.
        public static let unsupportedMediaType = Code(base: .unsupportedMediaType)
        /// Too many requests for one installation, client address or key; answered with `Retry-After`.
        public static let rateLimited = Code(base: .rateLimited)
        /// A Web Push endpoint points somewhere Perch refuses to send (SSRF guard).
        public static let forbiddenEndpoint = Code(base: .forbiddenEndpoint)
        /// No key, or an unknown key.
        public static let unauthorized = Code(base: .unauthorized)
        /// A valid key without the scope for this route.
        public static let forbidden = Code(base: .forbidden)
        /// Nothing there — or not visible to this key.
        public static let notFound = Code(base: .notFound)
        /// The request contradicts stored state.
        public static let conflict = Code(base: .conflict)
        /// The server cannot do this in its configuration.
        public static let unsupported = Code(base: .unsupported)
        /// The app has no credentials for that push service.
        public static let gatewayNotConfigured = Code(base: .gatewayNotConfigured)
        /// An `Idempotency-Key` already used, within a day, for another request (422).
        public static let idempotencyKeyReused = Code(base: .idempotencyKeyReused)
        /// The first request with this `Idempotency-Key` is still being handled (409).
        public static let idempotencyKeyInProgress = Code(base: .idempotencyKeyInProgress)
        /// Something failed inside Perch.
        public static let internalError = Code(base: .internalError)
    }

    public var code: Code
    public var message: String
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        field.map { "\(code): \(message) (field \($0))" } ?? "\(code): \(message)"
    }

    public static func invalid(_ field: String, _ message: String) -> PerchError {
        PerchError(.invalidField, message, field: field)
    }

    public static func missing(_ field: String) -> PerchError {
        PerchError(.missingField, "\(field) is required", field: field)
    }

    public static func notFound(_ what: String) -> PerchError {
        PerchError(.notFound, "\(what) not found")
    }
}
