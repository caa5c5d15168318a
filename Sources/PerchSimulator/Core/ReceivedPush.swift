import Foundation
import PerchCore

/// One push request a simulator accepted, as its device would see it.
public struct ReceivedPush: Sendable, Hashable, Codable {
    /// The platform that received it.
    public var platform: Platform
    /// APNs hex token, FCM registration token or Web Push endpoint URL.
    public var token: String
    /// The APNs environment of the listener that received it; `nil` for FCM and Web Push.
    public var environment: APNsEnvironment?
    /// Request headers, names lower-cased (`authorization` removed).
    public var headers: [String: String]
    /// APNs: the JSON payload; FCM: the request's `message` object as JSON; Web Push: the decrypted plaintext.
    public var body: Data
    /// When it was accepted.
    public var receivedAt: Date

    public init(
        platform: Platform, token: String, environment: APNsEnvironment?, headers: [String: String],
        body: Data, receivedAt: Date
    ) {
        self.platform = platform
        self.token = token
        self.environment = environment
        self.headers = headers
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The body as UTF-8 text, if it is.
    public var text: String? { String(data: body, encoding: .utf8) }

    /// The body parsed as a JSON object, if it is one.
    public var jsonObject: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
    }
}
