import Crypto
import Foundation
import PerchCore

extension PushSimulator {
    /// Hands out a new Web Push subscription whose private key and auth secret only the simulator keeps.
    /// - Parameter applicationServerKey: the VAPID public key (65-byte uncompressed P-256 point) the
    ///   subscription is restricted to; messages signed with another key are refused with 403.
    /// - Returns: the subscription as a browser gives it; its endpoint is on the Web Push listener
    ///   (call after ``start()`` so the port is known).
    public func newWebPushSubscription(applicationServerKey: Data? = nil) -> WebPushSubscriptionInfo {
        let privateKey = P256.KeyAgreement.PrivateKey()
        let authSecret = SymmetricKey(size: .init(bitCount: 128)).withUnsafeBytes { Data($0) }
        let id = Base64URL.encode(SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) })
        state.addSubscription(
            id: id,
            keys: WebPushSubscriptionKeys(
                privateKey: privateKey, authSecret: authSecret, applicationServerKey: applicationServerKey))
        let origin = endpoints?.webPushURL ?? Self.url(host: configuration.host, port: configuration.webPushPort)
        return WebPushSubscriptionInfo(
            endpoint: origin + SimulatedWebPush.pushPrefix + id,
            p256dh: Base64URL.encode(privateKey.publicKey.x963Representation),
            auth: Base64URL.encode(authSecret))
    }

    /// Declares which APNs environment issued `token`: the other environment's host then answers
    /// 400 `BadDeviceToken`, as Apple does. Tokens never declared are valid on both hosts.
    public func setAPNsTokenEnvironment(_ token: String, _ environment: APNsEnvironment) {
        state.setAPNsEnvironment(environment, for: token.lowercased())
    }

    /// Kills a token from now on: APNs answers 410 `Unregistered` with this moment as `timestamp`,
    /// FCM 404 `UNREGISTERED`, Web Push 410 Gone (`token` is the endpoint URL for Web Push).
    public func markInvalid(platform: Platform, token: String) {
        state.markInvalid(platform, token: platform == .apns ? token.lowercased() : token, at: configuration.now())
    }

    /// The next `count` push requests of `platform` meet `fault` (before the plan's random faults).
    public func inject(_ fault: Fault, platform: Platform, count: Int = 1) {
        state.inject(fault, platform: platform, count: count)
    }

    /// What `platform`'s service has counted.
    public func counters(platform: Platform) -> SimulatorCounters {
        state.counters(platform)
    }

    /// The pushes `platform`'s service accepted, oldest first (at most `receivedHistoryLimit`).
    public func received(platform: Platform) -> [ReceivedPush] {
        state.received(platform)
    }

    /// Zeroes every counter and forgets received pushes; tokens, subscriptions and queued faults stay.
    public func resetCounters() {
        state.resetCounters()
    }
}
