import Foundation
import PerchCore

/// An app: one mobile bundle or one website origin. Everything else is scoped to it.
public struct AppRecord: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var bundleId: String?
    public var webOrigin: String?
    /// The app's VAPID public key (base64url, uncompressed P-256), for `PushManager.subscribe`.
    public var vapidPublicKey: String
    /// Web Push endpoint hosts exempt from the address policy (tests, the demo, private push services).
    public var allowedEndpointHosts: [String]
    /// Whether publishable-key requests must prove the user they bind (``IdentityVerification``).
    public var identityVerification: IdentityVerification
    public var createdAt: Date

    public init(id: String, name: String, bundleId: String?, webOrigin: String?, vapidPublicKey: String,
                allowedEndpointHosts: [String], identityVerification: IdentityVerification = .required, createdAt: Date) {
        self.id = id
        self.name = name
        self.bundleId = bundleId
        self.webOrigin = webOrigin
        self.vapidPublicKey = vapidPublicKey
        self.allowedEndpointHosts = allowedEndpointHosts
        self.identityVerification = identityVerification
        self.createdAt = createdAt
    }

    /// Where this app's Web Push endpoints may point, given the operator's hosts.
    public func endpointPolicy(operatorHosts: GatewayHostAllowList) -> EndpointPolicy {
        EndpointPolicy(allowedHosts: allowedEndpointHosts, operatorHosts: operatorHosts)
    }
}

/// A newly created app with its keys — the only moment the keys exist in clear.
public struct CreatedApp: Sendable {
    public var app: AppRecord
    public var publishableKey: APIKey
    public var secretKey: APIKey
    /// Signs the `userAuth` tokens the app's backend mints for its users.
    public var identitySecret: IdentitySecret

    /// For store backends.
    public init(app: AppRecord, publishableKey: APIKey, secretKey: APIKey, identitySecret: IdentitySecret) {
        self.app = app
        self.publishableKey = publishableKey
        self.secretKey = secretKey
        self.identitySecret = identitySecret
    }
}

/// Who is calling: the server's admin, or one app through one of its keys.
public enum Principal: Sendable, Hashable {
    case admin
    case app(id: String, kind: APIKey.Kind)

    public var appId: String? {
        if case .app(let id, _) = self { return id }
        return nil
    }
}
