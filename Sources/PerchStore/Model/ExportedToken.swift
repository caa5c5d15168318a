import Foundation
import PerchCore

/// An installation and its current token, decrypted, as `perch export` writes it.
public struct ExportedToken: Sendable, Hashable {
    public var installationId: String
    public var destination: PushDestination
    public var userId: String?
    public var status: TokenStatus
    public var consent: ConsentStatus?
    public var appVersion: String?
    public var locale: String?
    public var timezone: String?
    public var attributes: [String: JSONValue]?
    public var createdAt: Date
    public var lastSeenAt: Date

    public init(installationId: String, destination: PushDestination, userId: String? = nil, status: TokenStatus = .active,
                consent: ConsentStatus? = nil, appVersion: String? = nil, locale: String? = nil, timezone: String? = nil,
                attributes: [String: JSONValue]? = nil, createdAt: Date, lastSeenAt: Date) {
        self.installationId = installationId
        self.destination = destination
        self.userId = userId
        self.status = status
        self.consent = consent
        self.appVersion = appVersion
        self.locale = locale
        self.timezone = timezone
        self.attributes = attributes
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }
}
