import Foundation

/// A signed-in dashboard session as the store keeps it: the digest of the session's random id (the cookie carries the
/// id itself), the app and the digest of the secret key it was opened with.
public struct DashboardSessionRecord: Sendable, Hashable {
    public var idDigest: String
    public var appId: String
    public var keyDigest: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(idDigest: String, appId: String, keyDigest: String, createdAt: Date, expiresAt: Date) {
        self.idDigest = idDigest
        self.appId = appId
        self.keyDigest = keyDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
