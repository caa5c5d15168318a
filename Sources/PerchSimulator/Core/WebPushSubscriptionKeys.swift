import Crypto
import Foundation

/// The user agent's secret half of a subscription, which only the simulated push service holds.
struct WebPushSubscriptionKeys: Sendable {
    let privateKey: P256.KeyAgreement.PrivateKey
    let authSecret: Data
    /// The VAPID public key (65-byte uncompressed point) the subscription is restricted to, if any.
    let applicationServerKey: Data?
}
