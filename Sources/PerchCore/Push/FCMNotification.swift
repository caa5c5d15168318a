import Foundation

/// A ``PushMessage`` rendered for FCM HTTP v1: the body of `POST /v1/projects/{id}/messages:send`.
public struct FCMNotification: Sendable, Hashable {
    /// FCM's limit on a message's payload (`notification` plus `data`), in bytes.
    public static let payloadLimit = 4096

    /// `{"message": {...}}`, the complete request body.
    public var requestBody: Data
    /// The bytes counted against ``payloadLimit``: the JSON of `notification` and `data` together.
    public var payloadSize: Int
}
