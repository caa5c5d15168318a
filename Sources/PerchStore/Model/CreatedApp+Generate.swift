import Crypto
import Foundation
import PerchCore

extension CreatedApp {
    /// A new app's keys, identity secret and VAPID key pair, the same for every backend: the backend stores the app
    /// with the keys' digests, the sealed identity secret and the sealed VAPID private key, and answers this once.
    public static func generate(id: String, name: String, bundleId: String?, webOrigin: String?, vault: TokenVault,
                                now: Date) throws -> (created: CreatedApp, sealedVAPIDPrivateKey: Data, identitySecret: SealedIdentitySecret) {
        let vapid = P256.Signing.PrivateKey()
        let app = AppRecord(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin,
                            vapidPublicKey: Base64URL.encode(vapid.publicKey.x963Representation), allowedEndpointHosts: [], createdAt: now)
        let identity = try SealedIdentitySecret.generate(appId: id, vault: vault)
        let created = CreatedApp(app: app, publishableKey: APIKey.generate(.publishable), secretKey: APIKey.generate(.secret),
                                 identitySecret: identity.secret)
        return (created, try vault.seal(vapid.rawRepresentation, context: "vapid:" + id), identity)
    }
}
