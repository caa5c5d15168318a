import Crypto
import Foundation
import PerchCore

/// Tokens of each platform's shape, distinct per seed, for tests that register many.
public enum Tokens {
    public static func apns(_ seed: Int) -> String { "feedbeef" + String(format: "%056x", seed) }
    public static func fcm(_ seed: Int) -> String { "dQw4w9WgXcQ\(seed):APA91b" + String(repeating: "Tk_-Q7", count: 24) }
    public static func subscription(endpoint: String) -> JSONValue {
        ["endpoint": .string(endpoint),
         "keys": ["p256dh": .string(Base64URL.encode(P256.KeyAgreement.PrivateKey().publicKey.x963Representation)),
                  "auth": .string(Base64URL.encode(Data((0..<16).map { _ in UInt8.random(in: 0...255) })))]]
    }
}
