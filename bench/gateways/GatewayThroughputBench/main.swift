// End-to-end sends per second of Perch's gateways against the in-process simulators (HTTP/2 + TLS on loopback),
// and peak RSS, for bench/gateways/run.sh.
// Usage: perch-bench-gateways PLATFORM MESSAGES CONCURRENCY — PLATFORM is apns, fcm or webpush. Prints one JSON line.
import Foundation
import Logging
import PerchCore
import PerchGateways
import PerchSimulator

let arguments = CommandLine.arguments
let platform = arguments.count > 1 ? arguments[1] : "apns"
let messages = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
let concurrency = arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100

func peakRSSKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

var logger = Logger(label: "perch.bench")
logger.logLevel = .error
let simulator = PushSimulator(logger: logger)
let endpoints = try await simulator.start()
let gateways = PushGateways(logger: logger)
let service = Task { try await gateways.run() }

let message = PushMessage(title: "Your order has shipped", body: "Order 12345 is on its way.", data: ["orderId": "12345"])
let gateway: any PushGateway
var destinations: [PushDestination] = []
switch platform {
case "fcm":
    gateway = try gateways.fcm(FCMConfiguration(
        serviceAccountJSON: endpoints.fcmServiceAccountJSON, endpoint: endpoints.fcmURL, caCertificatePEM: endpoints.caCertificatePEM))
    destinations = (0..<1000).map { .fcm(token: "bench-token-\($0):APA91b") }
case "webpush":
    let key = VAPIDKey.generate()
    gateway = try gateways.webPush(WebPushConfiguration(
        subject: "mailto:bench@perch.test", vapidPrivateKey: key.privateKeyBase64URL, allowedEndpointHosts: ["127.0.0.1"],
        caCertificatePEM: endpoints.caCertificatePEM))
    destinations = (0..<1000).map { _ in
        let info = simulator.newWebPushSubscription(applicationServerKey: Data(base64Encoded: key.publicKeyBase64URL.padded))
        return .webPush(endpoint: info.endpoint, p256dh: info.p256dh, auth: info.auth)!
    }
default:
    let environment = ProcessInfo.processInfo.environment
    let external = environment["PERCH_BENCH_APNS_ENDPOINT"]
    gateway = try gateways.apns(APNsConfiguration(
        teamId: endpoints.apns.teamId, keyId: endpoints.apns.keyId, privateKeyPEM: endpoints.apns.privateKeyPEM,
        topic: endpoints.apns.topic, environment: .production, endpoint: external ?? endpoints.apnsURL,
        caCertificatePEM: try environment["PERCH_BENCH_APNS_CA"].map { try String(contentsOfFile: $0, encoding: .utf8) } ?? endpoints.caCertificatePEM))
    if let tokens = environment["PERCH_BENCH_APNS_TOKENS"] {
        destinations = try String(contentsOfFile: tokens, encoding: .utf8).split(separator: "\n").map { .apns(token: String($0), environment: .production) }
    } else {
        destinations = (0..<1000).map { i in .apns(token: String(format: "%064x", i + 1), environment: .production) }
    }
}

// Warm up: connection, credentials.
_ = await gateway.send(message, to: destinations[0])

let clock = ContinuousClock()
let started = clock.now
let accepted = await withTaskGroup(of: Int.self) { group in
    let perWorker = messages / concurrency
    for worker in 0..<concurrency {
        group.addTask {
            var ok = 0
            for i in 0..<perWorker {
                if case .accepted = await gateway.send(message, to: destinations[(worker * perWorker + i) % destinations.count]) { ok += 1 }
            }
            return ok
        }
    }
    var total = 0
    for await ok in group { total += ok }
    return total
}
let elapsed = clock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(#"{"platform":"\#(platform)","messages":\#(messages),"concurrency":\#(concurrency),"accepted":\#(accepted),"seconds":\#(seconds),"sendsPerSecond":\#(Double(accepted) / seconds),"peakRSSKilobytes":\#(peakRSSKilobytes())}"#)
service.cancel()
_ = await service.result
try await simulator.shutdown()

extension String {
    var padded: String {
        var text = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text.append("=") }
        return text
    }
}
