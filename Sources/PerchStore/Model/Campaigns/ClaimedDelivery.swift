import Foundation
import PerchCore

/// A delivery a worker holds under lease, with everything it needs to send it.
public struct ClaimedDelivery: Sendable {
    public var id: String
    public var appId: String
    public var campaignId: String
    /// The attempt this claim makes, from 1.
    public var attempt: Int
    public var variant: Int?
    public var tokenId: String
    public var installationId: String
    public var userId: String?
    /// The token, decrypted; `nil` when it can no longer be read (then the delivery is suppressed).
    public var destination: PushDestination?
    /// The token's status and the installation's consent now, so consent holds at every send.
    public var status: TokenStatus
    public var consent: ConsentStatus?
    /// The user's attributes, for personalised messages.
    public var userAttributes: [String: JSONValue]
    public var installationFields: [String: String]
    public var expiresAt: Date?
    public var createdAt: Date

    public init(id: String, appId: String, campaignId: String, attempt: Int, variant: Int?, tokenId: String, installationId: String,
                userId: String?, destination: PushDestination?, status: TokenStatus, consent: ConsentStatus?,
                userAttributes: [String: JSONValue], installationFields: [String: String], expiresAt: Date?, createdAt: Date) {
        self.id = id
        self.appId = appId
        self.campaignId = campaignId
        self.attempt = attempt
        self.variant = variant
        self.tokenId = tokenId
        self.installationId = installationId
        self.userId = userId
        self.destination = destination
        self.status = status
        self.consent = consent
        self.userAttributes = userAttributes
        self.installationFields = installationFields
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}
