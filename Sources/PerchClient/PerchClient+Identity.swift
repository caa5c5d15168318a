import Foundation

extension PerchClient {
    /// Perch's answer to identify and logout.
    public struct Binding: Sendable, Hashable, Decodable {
        public var installationId: String
        /// The user bound now (`nil` after logout).
        public var userId: String?
        /// The user the installation was bound to before.
        public var previousUserId: String?
    }

    /// The installation and its consent as Perch holds them.
    public struct Installation: Sendable, Hashable, Decodable {
        public var installationId: String
        public var userId: String?
        public var status: String?
    }

    /// A consent decision.
    public enum Consent: String, Sendable, Hashable, Codable {
        case granted
        case denied
        /// Withdrawn after having been granted; Perch stops sending and revokes the token.
        case revoked
    }

    struct IdentifyBody: Encodable {
        var installationId: String
        var userId: String?
        var userAuth: String?
    }
    struct ConsentBody: Encodable {
        var status: String
        var source: String
    }

    /// Binds this installation to your user id (after login). Register a token first.
    ///
    /// - Parameters:
    ///   - userId: your user id.
    ///   - userAuth: proof from your backend that this client is that user: a short-lived JWT (HS256) signed with the
    ///     app's identity secret, `sub` = `userId` (docs/clients.md shows how to mint it). Perch answers 401 without it
    ///     unless the app turned identity verification off. Fetch it from your backend right after sign-in; never
    ///     ship the identity secret in the app.
    @discardableResult
    public func identify(userId: String, userAuth: String?) async throws -> Binding {
        guard !userId.isEmpty else { throw PerchClientError(.invalidArgument, "userId is empty") }
        let body = IdentifyBody(installationId: try installationId(), userId: userId, userAuth: userAuth)
        return try await send("POST", "v1/identify", body: body, as: Binding.self).0
    }

    /// Unbinds this installation from its user (on logout); it stays registered, anonymously.
    @discardableResult
    public func logout() async throws -> Binding {
        try await send("POST", "v1/logout", body: IdentifyBody(installationId: try installationId(), userId: nil, userAuth: nil), as: Binding.self).0
    }

    /// Records a consent decision; `source` says where it was taken (`onboarding-prompt`, `settings`, …).
    @discardableResult
    public func setConsent(_ consent: Consent, source: String = "app") async throws -> Installation {
        let path = "v1/installations/\(try installationId())/consent"
        return try await send("PUT", path, body: ConsentBody(status: consent.rawValue, source: source), as: Installation.self).0
    }

    /// Unregisters this installation's token (it becomes `revoked`); the installation id is kept.
    @discardableResult
    public func unregister() async throws -> Installation {
        let answer = try await send("DELETE", "v1/installations/\(try installationId())", body: Optional<IdentifyBody>.none, as: Installation.self).0
        try? storage.set(nil, forKey: Self.lastTokenKey)
        return answer
    }
}
