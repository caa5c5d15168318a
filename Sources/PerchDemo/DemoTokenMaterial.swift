import Crypto
import Foundation
import PerchCore

/// The push tokens of the demo population, derived from a secret seed: APNs device tokens, FCM
/// registration tokens and Web Push subscriptions whose private keys the simulator holds.
/// Derived rather than random so that a restarted demo hands the simulator the same subscriptions.
public struct DemoTokenMaterial: Sendable {
    let key: SymmetricKey

    /// Material derived from `seed` (32 random bytes kept in the demo's state file).
    public init(seed: Data) {
        key = SymmetricKey(data: seed)
    }

    func derive(_ label: String, _ index: Int) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(label):\(index)".utf8), using: key))
    }

    /// A 32-byte APNs device token in lower-case hex.
    public func apnsToken(_ index: Int) -> String {
        derive("apns", index).map { String(format: "%02x", $0) }.joined()
    }

    /// An installation's APNs token of another kind (VoIP, Live Activity), in lower-case hex: distinct per kind and slot.
    public func apnsToken(_ index: Int, kind: TokenKind) -> String {
        let slot = [kind.name.rawValue, kind.activityType, kind.activityId].compactMap { $0 }.joined(separator: "/")
        return derive("apns-\(slot)", index).map { String(format: "%02x", $0) }.joined()
    }

    /// An FCM registration token: an instance id, a colon and a 140-character payload, as Firebase issues them.
    public func fcmToken(_ index: Int) -> String {
        let head = Base64URL.encode(derive("fcm-id", index).prefix(16))
        let body = (0..<5).map { Base64URL.encode(derive("fcm-\($0)", index)) }.joined()
        return head + ":APA91b" + body.prefix(134)
    }

    /// A Web Push subscription's parts: the id in its endpoint path, the user agent's private key and its auth secret.
    public func webPushSubscription(_ index: Int) -> (id: String, privateKey: P256.KeyAgreement.PrivateKey, authSecret: Data) {
        var counter = 0
        var privateKey: P256.KeyAgreement.PrivateKey?
        while privateKey == nil {  // a derived scalar is out of range with probability 2^-32; draw again then
            privateKey = try? P256.KeyAgreement.PrivateKey(rawRepresentation: derive("webpush-key-\(counter)", index))
            counter += 1
        }
        return (Base64URL.encode(derive("webpush-id", index).prefix(16)), privateKey!, derive("webpush-auth", index).prefix(16))
    }
}
