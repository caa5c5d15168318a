import Foundation
import PerchCore

/// An installation as the API shows it: never the raw token.
public struct InstallationSummary: Sendable, Hashable {
    public var installationId: String
    public var platform: Platform
    public var userId: String?
    public var tokenId: String?
    public var tokenStatus: TokenStatus?
    public var environment: APNsEnvironment?
    public var consent: ConsentRecord?
    public var appVersion: String?
    public var locale: String?
    public var timezone: String?
    public var createdAt: Date
    public var lastSeenAt: Date
    public var lastTokenUpdateAt: Date?

    /// For store backends.
    public init(installationId: String, platform: Platform, userId: String?, tokenId: String?, tokenStatus: TokenStatus?,
                environment: APNsEnvironment?, consent: ConsentRecord?, appVersion: String?, locale: String?, timezone: String?,
                createdAt: Date, lastSeenAt: Date, lastTokenUpdateAt: Date?) {
        self.installationId = installationId
        self.platform = platform
        self.userId = userId
        self.tokenId = tokenId
        self.tokenStatus = tokenStatus
        self.environment = environment
        self.consent = consent
        self.appVersion = appVersion
        self.locale = locale
        self.timezone = timezone
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.lastTokenUpdateAt = lastTokenUpdateAt
    }

    /// Whether a send could reach this installation now: a live token and granted consent.
    public var isReachable: Bool {
        (tokenStatus?.isLive ?? false) && (consent?.status.allowsSending ?? false)
    }
}

/// One consent decision, with where it came from and when.
public struct ConsentRecord: Sendable, Hashable, Codable {
    public var status: ConsentStatus
    public var source: String
    public var at: Date

    public init(status: ConsentStatus, source: String, at: Date) {
        self.status = status
        self.source = source
        self.at = at
    }
}
