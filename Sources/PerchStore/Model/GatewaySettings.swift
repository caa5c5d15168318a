import Foundation
import PerchCore

/// An app's stored credentials for one push service: the request body of
/// `PUT /v1/apps/{appId}/gateways/{platform}`, sealed at rest. `summary` is what the
/// API may show back (never a private key).
public struct GatewaySettings: Sendable, Hashable {
    public var platform: Platform
    /// The settings as JSON (private keys included) — only ever held in memory or sealed.
    public var settings: JSONValue
    /// Non-secret facts to show: team id, key id, topic, environment, project id, subject, endpoint.
    public var summary: [String: JSONValue]
    public var updatedAt: Date

    public init(platform: Platform, settings: JSONValue, summary: [String: JSONValue], updatedAt: Date) {
        self.platform = platform
        self.settings = settings
        self.summary = summary
        self.updatedAt = updatedAt
    }
}
