import Foundation

/// The FCM HTTP v1 rows of the outcome table (`docs/outcomes.md`).
public enum FCMOutcomeTable {
    /// The least `QUOTA_EXCEEDED` backs off, whatever `Retry-After` says.
    public static let quotaBackoffFloor: Duration = .seconds(60)
    /// The delay before retrying an answer nobody knows.
    public static let conservativeRetryDelay: Duration = .seconds(60)

    /// Maps an answer of `messages:send` to an outcome.
    public static func outcome(for answer: FCMAnswer) -> DeliveryOutcome {
        if (200..<300).contains(answer.status) { return .accepted(gatewayMessageId: answer.messageName) }
        let code = answer.errorCode?.rawValue ?? answer.errorStatus ?? "Status\(answer.status)"
        let reason = DeliveryFailureReason(platform: .fcm, status: answer.status, code: code)

        if let known = answer.errorCode?.known {
            switch known {
            case .unregistered:
                return .retireToken(reason: reason, timestamp: nil)
            case .invalidArgument:
                // INVALID_ARGUMENT also covers a malformed message; only an error about the token itself retires it.
                return answer.namesToken ? .retireToken(reason: reason, timestamp: nil) : .messageError(reason: reason)
            case .senderIdMismatch:
                // The token belongs to another sender (Firebase project). With a misconfigured service account every
                // token would answer this, so the token is left to ageing, not retired.
                return .messageError(reason: reason)
            case .quotaExceeded:
                return .retry(after: max(answer.retryAfter ?? .zero, quotaBackoffFloor), reason: reason)
            case .unavailable, .internalError:
                return .retry(after: answer.retryAfter, reason: reason)
            case .thirdPartyAuthError:
                return .credentialError(reason: reason)
            case .unspecifiedError, .unknown:
                return .retry(after: max(answer.retryAfter ?? .zero, conservativeRetryDelay), reason: reason)
            }
        }
        // No FcmError detail: the Google API error status decides, and never retires a token.
        switch answer.status {
        case 400: return .messageError(reason: reason)
        case 401, 403, 404: return .credentialError(reason: reason)
        case 413: return .messageError(reason: reason)
        case 429: return .retry(after: max(answer.retryAfter ?? .zero, quotaBackoffFloor), reason: reason)
        case 500...599: return .retry(after: answer.retryAfter, reason: reason)
        default: return .retry(after: max(answer.retryAfter ?? .zero, conservativeRetryDelay), reason: reason)
        }
    }

    /// Maps an answer of the OAuth token endpoint (`token_uri`) that was not a token to an outcome: a rejected
    /// assertion is a credential error, an unavailable endpoint is retried.
    public static func outcome(forTokenEndpointStatus status: Int, error: String?, retryAfter: Duration?) -> DeliveryOutcome {
        let reason = DeliveryFailureReason(
            platform: .fcm, status: status, code: "OAuth:" + (error ?? "Status\(status)"),
            detail: "the OAuth token endpoint refused the service account")
        switch status {
        case 429, 500...599: return .retry(after: retryAfter, reason: reason)
        default: return .credentialError(reason: reason)
        }
    }
}
