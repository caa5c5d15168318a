import Foundation

/// The APNs rows of the outcome table (`docs/outcomes.md`): what each APNs answer means for the delivery and the token.
public enum APNsOutcomeTable {
    /// The delay before retrying an answer nobody knows.
    public static let conservativeRetryDelay: Duration = .seconds(60)

    /// Maps an answer to an outcome.
    ///
    /// - Parameters:
    ///   - tokenEnvironment: the environment the token was registered for, `nil` when unknown.
    ///   - connectionEnvironment: the environment of the host the request went to.
    public static func outcome(
        for answer: APNsAnswer,
        tokenEnvironment: APNsEnvironment?,
        connectionEnvironment: APNsEnvironment
    ) -> DeliveryOutcome {
        if (200..<300).contains(answer.status) { return .accepted(gatewayMessageId: answer.apnsId) }
        let code = answer.reason?.rawValue ?? "Status\(answer.status)"
        let reason = DeliveryFailureReason(platform: .apns, status: answer.status, code: code)

        guard let known = answer.reason?.known else {
            // No reason body: go by status alone, never retiring.
            switch answer.status {
            case 413: return .messageError(reason: reason)
            case 429, 500...599: return .retry(after: answer.retryAfter, reason: reason)
            case 403: return .credentialError(reason: reason)
            default: return .retry(after: max(answer.retryAfter ?? .zero, conservativeRetryDelay), reason: reason)
            }
        }
        switch known {
        case .unregistered, .expiredToken:
            return .retireToken(reason: reason, timestamp: answer.timestamp)
        case .badDeviceToken:
            // A token of the other environment is rejected with BadDeviceToken too: only a token known to belong
            // to this connection's environment is dead. A mix-up must never wipe valid tokens.
            if let tokenEnvironment, tokenEnvironment == connectionEnvironment {
                return .retireToken(reason: reason, timestamp: nil)
            }
            var mismatch = reason
            mismatch.detail = tokenEnvironment == nil
                ? "token environment unknown; not retired"
                : "token registered for the other APNs environment; not retired"
            return .messageError(reason: mismatch)
        case .deviceTokenNotForTopic:
            // Either this token belongs to another app or the app's topic is misconfigured; in the second case
            // retiring would wipe every valid token, so the token is left alone.
            return .messageError(reason: reason)
        case .badCollapseId, .badExpirationDate, .badMessageId, .badPriority, .duplicateHeaders, .invalidPushType,
            .missingDeviceToken, .payloadEmpty, .payloadTooLarge, .badPath, .methodNotAllowed:
            return .messageError(reason: reason)
        case .badTopic, .missingTopic, .topicDisallowed, .badCertificate, .badCertificateEnvironment,
            .expiredProviderToken, .forbidden, .invalidProviderToken, .missingProviderToken,
            .unrelatedKeyIdInToken, .badEnvironmentKeyInToken:
            return .credentialError(reason: reason)
        case .tooManyRequests, .tooManyProviderTokenUpdates, .idleTimeout, .internalServerError,
            .serviceUnavailable, .shutdown:
            return .retry(after: answer.retryAfter, reason: reason)
        case .unknown:
            return .retry(after: max(answer.retryAfter ?? .zero, conservativeRetryDelay), reason: reason)
        }
    }
}
