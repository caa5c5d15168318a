/// The push service a token belongs to.
public enum Platform: String, Sendable, Codable, CaseIterable, Hashable {
    /// Apple Push Notification service: a hex device token.
    case apns
    /// Firebase Cloud Messaging HTTP v1: a registration token.
    case fcm
    /// Web Push (RFC 8030/8291/8292): a browser subscription.
    case webpush
}

/// The APNs environment a device token was issued for. A token from one
/// environment is rejected by the other with `BadDeviceToken`, which must never
/// be read as "the token is dead".
public enum APNsEnvironment: String, Sendable, Codable, CaseIterable, Hashable {
    case production
    case sandbox
}
