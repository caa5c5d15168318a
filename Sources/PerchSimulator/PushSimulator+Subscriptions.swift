import Crypto
import Foundation
import PerchCore

extension PushSimulator {
    /// Adds a Web Push subscription whose keys the caller supplies — one handed out by an earlier run
    /// whose keys were derived from a kept secret — so its stored endpoint works again after a restart.
    /// - Parameters:
    ///   - id: the last path segment of the endpoint (`{webPushURL}/push/{id}`).
    ///   - privateKey: the user agent's key; its public half is the subscription's `p256dh`.
    ///   - authSecret: the 16-byte auth secret.
    ///   - applicationServerKey: the VAPID public key messages must be signed with, if restricted.
    /// - Returns: the subscription as a browser gives it (call after ``start()`` so the port is known).
    @discardableResult
    public func addWebPushSubscription(id: String, privateKey: P256.KeyAgreement.PrivateKey, authSecret: Data,
                                       applicationServerKey: Data? = nil) -> WebPushSubscriptionInfo {
        state.addSubscription(
            id: id, keys: WebPushSubscriptionKeys(privateKey: privateKey, authSecret: authSecret, applicationServerKey: applicationServerKey))
        let origin = endpoints?.webPushURL ?? Self.url(host: configuration.host, port: configuration.webPushPort)
        return WebPushSubscriptionInfo(
            endpoint: origin + SimulatedWebPush.pushPrefix + id,
            p256dh: Base64URL.encode(privateKey.publicKey.x963Representation),
            auth: Base64URL.encode(authSecret))
    }
}
