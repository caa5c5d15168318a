import Foundation
import PerchCore
import PerchStore

/// `GET /v1/users/{userId}`: profile, installations and whether a send can reach the user.
struct UserView: Encodable {
    struct Reachability: Encodable {
        var reachable: Bool
        var reachableInstallations: Int
        var byPlatform: [String: Int]
    }
    var userId: String
    var attributes: [String: JSONValue]
    var createdAt: Date?
    var updatedAt: Date?
    var installations: [InstallationView]
    var reachability: Reachability

    init(_ profile: UserProfile) {
        userId = profile.userId
        attributes = profile.attributes
        createdAt = profile.createdAt
        updatedAt = profile.updatedAt
        installations = profile.installations.map { InstallationView($0) }
        let reachable = profile.installations.filter(\.isReachable)
        reachability = Reachability(
            reachable: !reachable.isEmpty, reachableInstallations: reachable.count,
            byPlatform: Dictionary(grouping: reachable, by: \.platform.rawValue).mapValues(\.count)
        )
    }
}

/// `GET /v1/users/{userId}/export`: everything about the user, tokens decrypted.
struct UserExportView: Encodable {
    struct Token: Encodable {
        var installationId: String
        var tokenId: String
        var platform: String
        var token: String?
        var subscription: JSONValue?
        var environment: String?
        var status: String
        var createdAt: Date
        var lastSeenAt: Date
        var kind: String = TokenKindName.device.rawValue
        var activityType: String?
        var activityId: String?
        var expiresAt: Date?
    }
    struct Event: Encodable {
        var type: String
        var installationId: String
        var campaignId: String?
        var deliveryId: String?
        var value: Double?
        var currency: String?
        var properties: JSONValue?
        var at: Date
    }
    struct LogEntry: Encodable {
        var kind: String
        var installationId: String?
        var userId: String?
        var previousUserId: String?
        var at: Date
    }
    var exportedAt: Date
    var user: UserView
    var tokens: [Token]
    var consentHistory: [String: [ConsentRecord]]
    var events: [Event]
    var log: [LogEntry]

    init(_ export: UserExport, now: Date) {
        exportedAt = now
        user = UserView(export.profile)
        tokens = export.tokens.map { token in
            var view = Token(installationId: token.installationId, tokenId: token.tokenId, platform: token.destination.platform.rawValue,
                             status: token.status.name.rawValue, createdAt: token.createdAt, lastSeenAt: token.lastSeenAt,
                             kind: token.kind.name.rawValue, activityType: token.kind.activityType, activityId: token.kind.activityId,
                             expiresAt: token.expiresAt)
            switch token.destination {
            case .apns(let value, let environment):
                view.token = value
                view.environment = environment?.rawValue
            case .fcm(let value):
                view.token = value
            case .webpush(let subscription):
                view.subscription = .object([
                    "endpoint": .string(subscription.endpoint.absoluteString),
                    "keys": .object(["p256dh": .string(Base64URL.encode(subscription.p256dh)), "auth": .string(Base64URL.encode(subscription.auth))]),
                ])
            }
            return view
        }
        consentHistory = export.consentHistory
        events = export.events.map {
            Event(type: $0.type, installationId: $0.installationId, campaignId: $0.campaignId, deliveryId: $0.deliveryId,
                  value: $0.value, currency: $0.currency, properties: $0.properties, at: $0.occurredAt)
        }
        log = export.log.map { LogEntry(kind: $0.kind, installationId: $0.installationId, userId: $0.userId, previousUserId: $0.otherUserId, at: $0.at) }
    }
}
