extension DeliveryFailureReason {
    /// The reason as a metrics label: the code when it is one the platform documents or Perch makes itself, `other`
    /// for anything else. A gateway's reason is text from the network, and every distinct label value is a time
    /// series kept forever by Prometheus: the set of values must stay bounded whatever a server answers.
    public var metricLabel: String {
        if Self.perchCodes.contains(code) { return code }
        if code.hasPrefix("Status"), let status = Int(code.dropFirst(6)), (100...599).contains(status) { return code }
        switch platform {
        case .apns:
            if case .unknown = APNsErrorReason(rawValue: code).known { break }
            return code
        case .fcm:
            if Self.googleStatuses.contains(code) { return code }
            if code.hasPrefix("OAuth:"), Self.oauthErrors.contains(String(code.dropFirst(6))) { return code }
            if case .unknown = FCMErrorCode(rawValue: code).known { break }
            return code
        case .webpush:
            if let status, (100...599).contains(status), code == WebPushOutcomeTable.phrase(status) { return code }
        }
        return "other"
    }

    /// The label for reasons outside the documented sets.
    public static let otherMetricLabel = "other"

    /// Codes Perch gives answers that never arrived or were never sent.
    static let perchCodes: Set<String> = [
        "Timeout", "TransportError", "EndpointRefused", "EndpointUnresolved", "InvalidSubscriptionKeys", "VAPIDSigningFailed",
        "ProviderTokenSigningFailed", "MalformedDeviceToken", "GatewayNotConfigured", "WrongPlatform", "no_token",
    ]

    /// `google.rpc.Code` names, which FCM puts in `error.status`.
    static let googleStatuses: Set<String> = [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    ]

    /// OAuth 2.0 token endpoint errors (RFC 6749 §5.2).
    static let oauthErrors: Set<String> = [
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
    ]
}
