import Foundation
import PerchCore
import PerchStore

/// An installation as the API shows it — status, consent and times, never the token.
struct InstallationView: Encodable {
    var installationId: String
    var platform: String
    var userId: String?
    var tokenId: String?
    var status: String?
    var statusReason: String?
    var environment: String?
    var consent: ConsentRecord?
    var consentHistory: [ConsentRecord]?
    var appVersion: String?
    var locale: String?
    var timezone: String?
    var createdAt: Date
    var lastSeenAt: Date
    var lastTokenUpdateAt: Date?
    var reachable: Bool

    init(_ summary: InstallationSummary, consentHistory: [ConsentRecord]? = nil) {
        installationId = summary.installationId
        platform = summary.platform.rawValue
        userId = summary.userId
        tokenId = summary.tokenId
        status = summary.tokenStatus?.name.rawValue
        statusReason = summary.tokenStatus.flatMap(StatusReason.text)
        environment = summary.environment?.rawValue
        consent = summary.consent
        self.consentHistory = consentHistory
        appVersion = summary.appVersion
        locale = summary.locale
        timezone = summary.timezone
        createdAt = summary.createdAt
        lastSeenAt = summary.lastSeenAt
        lastTokenUpdateAt = summary.lastTokenUpdateAt
        reachable = summary.isReachable
    }
}

/// The human part of a status: why a token is invalid, revoked or replaced.
enum StatusReason {
    static func text(_ status: TokenStatus) -> String? {
        switch status {
        case .invalid(let reason, _): reason
        case .revoked(let reason): reason.rawValue
        case .replaced(let successor): "replaced by \(successor)"
        default: nil
        }
    }
}
