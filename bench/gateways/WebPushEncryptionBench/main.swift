// Web Push encryption throughput of one Perch process (one core), for bench/gateways/run.sh.
// Usage: perch-bench-webpush-encryption [messages] — prints one JSON line.
import Crypto
import Foundation
import PerchCore
import PerchGateways

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20_000 : 20_000
let receiver = P256.KeyAgreement.PrivateKey()
let userAgentKey = receiver.publicKey.x963Representation
let auth = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
let message = PushMessage(
    title: "Your order has shipped", body: "Order 12345 is on its way and arrives Thursday.",
    data: ["orderId": "12345", "carrier": "UPS"], url: "https://shop.example/orders/12345")
let plaintext = try message.renderWebPush().plaintext

// Warm up.
for _ in 0..<200 { _ = try WebPushEncryption.encrypt(plaintext, userAgentPublicKey: userAgentKey, authSecret: auth) }

var bytes = 0
let clock = ContinuousClock()
let elapsed = try clock.measure {
    for _ in 0..<count {
        // A fresh ephemeral key and salt per message, as in production.
        bytes &+= try WebPushEncryption.encrypt(plaintext, userAgentPublicKey: userAgentKey, authSecret: auth).count
    }
}
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(#"{"implementation":"perch","messages":\#(count),"plaintextBytes":\#(plaintext.count),"seconds":\#(seconds),"messagesPerSecond":\#(Double(count) / seconds),"bodyBytes":\#(bytes / count)}"#)

// Where the time goes: each step alone, same count.
func phase(_ name: String, _ body: () throws -> Void) rethrows {
    let elapsed = try clock.measure { for _ in 0..<count { try body() } }
    let micros = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / Double(count) * 1e6
    print(#"{"phase":"\#(name)","microsecondsPerMessage":\#(micros)}"#)
}
let fixedEphemeral = P256.KeyAgreement.PrivateKey()
let parsedUserAgentKey = try P256.KeyAgreement.PublicKey(x963Representation: userAgentKey)
phase("P256.KeyAgreement.PrivateKey()") { _ = P256.KeyAgreement.PrivateKey() }
phase("serialize ephemeral public key") { _ = fixedEphemeral.publicKey.x963Representation }
try phase("parse p256dh") { _ = try P256.KeyAgreement.PublicKey(x963Representation: userAgentKey) }
try phase("ECDH") { _ = try fixedEphemeral.sharedSecretFromKeyAgreement(with: parsedUserAgentKey) }
phase("WebPushEncryption.makeEphemeralKey()") { _ = WebPushEncryption.makeEphemeralKey() }
// Everything but the key and salt draw: parse, serialize, ECDH, key derivation, AES-GCM, body. A benchmark may reuse
// a key; a sender must not (WebPushEncryption.encrypt without a key draws a fresh one per message).
let fixedSalt = Data(repeating: 7, count: 16)
try phase("encrypt with a given ephemeral key and salt") {
    _ = try WebPushEncryption.encrypt(
        plaintext, userAgentPublicKey: userAgentKey, authSecret: auth, ephemeralKey: fixedEphemeral, salt: fixedSalt)
}
