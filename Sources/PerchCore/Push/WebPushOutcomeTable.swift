import Foundation

/// The Web Push rows of the outcome table (`docs/outcomes.md`).
public enum WebPushOutcomeTable {
    /// The delay before retrying an answer nobody knows.
    public static let conservativeRetryDelay: Duration = .seconds(60)

    /// Maps a push service answer to an outcome.
    public static func outcome(for answer: WebPushAnswer) -> DeliveryOutcome {
        let reason = DeliveryFailureReason(platform: .webpush, status: answer.status, code: phrase(answer.status))
        switch answer.status {
        case 200...202: return .accepted(gatewayMessageId: answer.location)
        case 404, 410: return .retireToken(reason: reason, timestamp: nil)
        case 413: return .messageError(reason: reason)
        case 429: return .retry(after: answer.retryAfter, reason: reason)
        case 400, 401, 403: return .credentialError(reason: reason)
        case 500...599: return .retry(after: answer.retryAfter, reason: reason)
        default: return .retry(after: max(answer.retryAfter ?? .zero, conservativeRetryDelay), reason: reason)
        }
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 410: "Gone"
        case 413: "PayloadTooLarge"
        case 429: "TooManyRequests"
        case 500: "InternalServerError"
        case 502: "BadGateway"
        case 503: "ServiceUnavailable"
        case 504: "GatewayTimeout"
        default: "Status\(status)"
        }
    }
}
