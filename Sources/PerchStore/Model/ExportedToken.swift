import Foundation
import PerchCore

/// An installation and one of its tokens, decrypted, as `perch export` writes it: the installation's current device
/// token, and each VoIP and Live Activity token it holds.
public struct ExportedToken: Sendable, Hashable {
    public var installationId: String
    /// The token's id; with `installationId` it is the export's page cursor (``exportCursor``).
    public var tokenId: String
    public var kind: TokenKind
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
                attributes: [String: JSONValue]? = nil, createdAt: Date, lastSeenAt: Date, tokenId: String = "", kind: TokenKind = .device) {
        self.installationId = installationId
        self.tokenId = tokenId
        self.kind = kind
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

    /// Where the next page starts: after this installation's token.
    public var exportCursor: String { installationId + " " + tokenId }

    /// The installation id and token id a cursor names (an installation id alone starts after every token of it).
    public static func cursorParts(_ cursor: String?) -> (installationId: String, tokenId: String) {
        guard let cursor else { return ("", "") }
        guard let space = cursor.firstIndex(of: " ") else { return (cursor, "\u{10FFFF}") }
        return (String(cursor[..<space]), String(cursor[cursor.index(after: space)...]))
    }
}
