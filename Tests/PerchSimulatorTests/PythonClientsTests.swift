import Foundation
import PerchCore
import Testing

@testable import PerchSimulator

/// The common Python senders, unmodified, against the simulators: `aioapns` (HTTP/2 over its own h2 stack, `host`
/// instead of `:authority`, no ALPN, an answer parsed frame by frame) and `pywebpush` (RFC 8291 encryption, VAPID,
/// HTTP/1.1 through `requests`). Only configuration is theirs to choose: the simulator's CA, its provider key and
/// topic, a subscription it issued. aioapns connects to `api.push.apple.com:443` as it always does; the test's event
/// loop resolves that name to the simulator's loopback address and port, as a hosts file would.
/// `scripts/test` installs both; the suite is skipped where they are missing.
@Suite("Unmodified aioapns and pywebpush against the simulators", .enabled(if: PythonClients.isAvailable))
struct PythonClientsTests {
    @Test("aioapns: a push is accepted as sent; a bad token and a dead token come back as Apple's documented reasons")
    func aioapns() async throws {
        try await withSimulator { harness async throws in
            let dead = String(repeating: "cd", count: 32)
            harness.simulator.markInvalid(platform: .apns, token: dead)
            let caFile = try PythonClients.write(harness.endpoints.caCertificatePEM)
            defer { try? FileManager.default.removeItem(at: caFile) }
            let port = try #require(URL(string: harness.endpoints.apnsURL)?.port)
            let results = try PythonClients.run(PythonClients.aioapnsScript, input: [
                "apns_port": "\(port)", "ca_file": caFile.path, "key": harness.endpoints.apns.privateKeyPEM,
                "key_id": harness.endpoints.apns.keyId, "team_id": harness.endpoints.apns.teamId, "topic": harness.endpoints.apns.topic,
                "good": SimulatorHarness.deviceToken, "bad": "not-a-device-token", "dead": dead,
            ])

            let sent = try #require(results["good"] as? [String: Any])
            #expect(sent["status"] as? String == "200")
            #expect(sent["successful"] as? Bool == true)
            #expect(sent["id"] as? String == "6f9619ff-8b86-d011-b42d-00c04fc964ff", "apns-id echoes the id aioapns sent")
            let accepted = harness.simulator.received(platform: .apns)
            #expect(accepted.count == 1, "only the good push was accepted")
            let received = try #require(accepted.first)
            #expect(received.token == SimulatorHarness.deviceToken)
            let aps = try #require(received.jsonObject?["aps"] as? [String: Any])
            #expect((aps["alert"] as? [String: Any])?["title"] as? String == "From aioapns")
            #expect(received.headers["apns-push-type"] == "alert")
            #expect(received.headers["apns-topic"] == harness.endpoints.apns.topic)
            #expect(received.headers["apns-collapse-id"] == "greeting")
            #expect(received.headers["host"] == "api.push.apple.com", "the host came as `host`, not `:authority`, and was accepted")

            let bad = try #require(results["bad"] as? [String: Any])
            #expect(bad["status"] as? String == "400")
            #expect(bad["description"] as? String == "BadDeviceToken")
            let gone = try #require(results["dead"] as? [String: Any])
            #expect(gone["status"] as? String == "410")
            #expect(gone["description"] as? String == "Unregistered")
            #expect((gone["timestamp"] as? NSNumber).map { $0.int64Value > 0 } == true, "410 carries the invalidation timestamp")
        }
    }

    @Test("pywebpush: a message is accepted and decrypts to what was sent; an unknown subscription is a 404 it reports")
    func pywebpush() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            let caFile = try PythonClients.write(harness.endpoints.caCertificatePEM)
            defer { try? FileManager.default.removeItem(at: caFile) }
            let plaintext = #"{"title":"From pywebpush","body":"aes128gcm + VAPID"}"#
            let results = try PythonClients.run(PythonClients.pywebpushScript, input: [
                "endpoint": subscription.endpoint, "p256dh": subscription.p256dh, "auth": subscription.auth, "ca_file": caFile.path,
                "plaintext": plaintext, "unknown": harness.endpoints.webPushURL + "/push/unknown-subscription",
            ])

            let sent = try #require(results["sent"] as? [String: Any])
            #expect(sent["status"] as? Int == 201)
            #expect((sent["location"] as? String)?.isEmpty == false, "201 names the message resource")
            let accepted = harness.simulator.received(platform: .webpush)
            #expect(accepted.count == 1)
            let received = try #require(accepted.first)
            #expect(received.token == subscription.endpoint)
            #expect(received.text == plaintext, "the simulator decrypted exactly what pywebpush encrypted")
            #expect(received.headers["ttl"] == "60")
            #expect(received.headers["urgency"] == "high")

            let unknown = try #require(results["unknown"] as? [String: Any])
            #expect(unknown["status"] as? Int == 404)
        }
    }
}

enum PythonClients {
    static let isAvailable: Bool = (try? PythonInterop.run(script: "import aioapns, pywebpush, py_vapid", environment: [:])) != nil

    static func write(_ text: String) throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("perch-sim-ca-\(UUID().uuidString).pem")
        try Data(text.utf8).write(to: file)
        return file
    }

    /// Runs `script` with `input` as JSON in `PERCH_PEER_INPUT` and answers the JSON object it prints; a failure
    /// carries what Python wrote to stderr.
    static func run(_ script: String, input: [String: String]) throws -> [String: Any] {
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("perch-peer-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["PERCH_PEER_INPUT": String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)]) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0,
              let object = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any] else {
            throw TestFailure("python3 exited with \(process.terminationStatus): \(String(decoding: output, as: UTF8.self))\n\(stderr.suffix(4000))")
        }
        return object
    }

    /// aioapns as an app server uses it, token-based auth, connecting to `api.push.apple.com:443` as always: the event
    /// loop's name resolution (the test's stand-in for DNS) answers the simulator's loopback address and port.
    static let aioapnsScript = #"""
        import asyncio, json, os, socket, ssl
        from aioapns import APNs, NotificationRequest, PushType

        config = json.loads(os.environ["PERCH_PEER_INPUT"])

        class LoopbackDNS(asyncio.SelectorEventLoop):
            async def getaddrinfo(self, host, port, *args, **kwargs):
                if (host, port) == ("api.push.apple.com", 443):
                    host, port = "127.0.0.1", int(config["apns_port"])
                if host not in ("127.0.0.1", "::1", "localhost"):
                    raise OSError(f"the test resolves only APNs and loopback, not {host}")
                return await super().getaddrinfo(host, port, *args, **kwargs)

        async def main():
            context = ssl.create_default_context(cafile=config["ca_file"])
            # The chain is verified against the simulator's CA; its certificate names loopback, not api.push.apple.com.
            context.check_hostname = False
            client = APNs(key=config["key"], key_id=config["key_id"], team_id=config["team_id"], topic=config["topic"],
                          use_sandbox=False, ssl_context=context)
            results = {}
            for name, token, notification_id in [("good", config["good"], "6f9619ff-8b86-d011-b42d-00c04fc964ff"),
                                                 ("bad", config["bad"], None), ("dead", config["dead"], None)]:
                request = NotificationRequest(device_token=token, notification_id=notification_id, push_type=PushType.ALERT,
                                              collapse_key="greeting",
                                              message={"aps": {"alert": {"title": "From aioapns", "body": "unmodified"}}})
                result = await asyncio.wait_for(client.send_notification(request), timeout=60)
                results[name] = {"status": result.status, "successful": result.is_successful, "id": result.notification_id,
                                 "description": result.description, "timestamp": result.timestamp}
            print(json.dumps(results))

        loop = LoopbackDNS()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())
        """#

    /// pywebpush as an app server uses it: a subscription from the browser, a VAPID key of its own.
    static let pywebpushScript = #"""
        import json, os
        import requests
        from py_vapid import Vapid02
        from pywebpush import webpush, WebPushException

        config = json.loads(os.environ["PERCH_PEER_INPUT"])
        session = requests.Session()
        # Only the simulator's CA, and no proxy or CA bundle from the environment (which would override `verify`).
        session.trust_env = False
        session.verify = config["ca_file"]
        vapid = Vapid02()
        vapid.generate_keys()
        keys = {"p256dh": config["p256dh"], "auth": config["auth"]}
        claims = {"sub": "mailto:ops@example.com"}
        results = {}
        response = webpush({"endpoint": config["endpoint"], "keys": keys}, data=config["plaintext"], vapid_private_key=vapid,
                           vapid_claims=dict(claims), ttl=60, headers={"Urgency": "high"}, requests_session=session, timeout=60)
        results["sent"] = {"status": response.status_code, "location": response.headers.get("location")}
        try:
            webpush({"endpoint": config["unknown"], "keys": keys}, data=config["plaintext"], vapid_private_key=vapid,
                    vapid_claims=dict(claims), ttl=60, requests_session=session, timeout=60)
            results["unknown"] = {"status": 0}
        except WebPushException as error:
            results["unknown"] = {"status": error.response.status_code if error.response is not None else -1}
        print(json.dumps(results))
        """#
}
