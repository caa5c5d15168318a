import Crypto
import Foundation
import PerchCore

extension CreatedApp {
    /// A new app's keys and VAPID key pair, the same for every backend: the backend stores the app with the keys'
    /// digests and the sealed VAPID private key, and answers this once.
    public static func generate(id: String, name: String, bundleId: String?, webOrigin: String?, vault: TokenVault,
                                now: Date) throws -> (created: CreatedApp, sealedVAPIDPrivateKey: Data) {
        let vapid = P256.Signing.PrivateKey()
        let app = AppRecord(id: id, name: name, bundleId: bundleId, webOrigin: webOrigin,
                            vapidPublicKey: Base64URL.encode(vapid.publicKey.x963Representation), allowedEndpointHosts: [], createdAt: now)
        let created = CreatedApp(app: app, publishableKey: APIKey.generate(.publishable), secretKey: APIKey.generate(.secret))
        return (created, try vault.seal(vapid.rawRepresentation, context: "vapid:" + id))
    }
}
