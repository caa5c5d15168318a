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
    }
    struct ConsentBody: Encodable {
        var status: String
        var source: String
    }

    /// Binds this installation to your user id (after login). Register a token first.
    @discardableResult
    public func identify(userId: String) async throws -> Binding {
        guard !userId.isEmpty else { throw PerchClientError(.invalidArgument, "userId is empty") }
        return try await send("POST", "v1/identify", body: IdentifyBody(installationId: try installationId(), userId: userId), as: Binding.self).0
    }

    /// Unbinds this installation from its user (on logout); it stays registered, anonymously.
    @discardableResult
    public func logout() async throws -> Binding {
        try await send("POST", "v1/logout", body: IdentifyBody(installationId: try installationId(), userId: nil), as: Binding.self).0
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
