import Foundation
import Testing

@testable import PerchSimulator

/// Third-party senders against the simulator: Python's `http_ece` (RFC 8188/8291) encrypts and
/// `py_vapid` signs, so the simulator's decryption and VAPID checks are held to implementations
/// nobody here wrote. `scripts/test` installs both; the suite is skipped where they are missing.
@Suite("Interop with Python's http_ece and py_vapid", .enabled(if: PythonInterop.isAvailable))
struct PythonInteropTests {
    @Test("a message encrypted by http_ece and signed by py_vapid is accepted and decrypted")
    func pythonSender() async throws {
        try await withSimulator { harness async throws in
            let subscription = harness.simulator.newWebPushSubscription()
            let plaintext = #"{"title":"from Python","body":"http_ece + py_vapid"}"#
            let origin = harness.endpoints.webPushURL
            let output = try PythonInterop.run(
                script: """
                    import base64, json, sys, os
                    import http_ece, py_vapid
                    from cryptography.hazmat.primitives.asymmetric import ec
                    def unb64(s): return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
                    body = http_ece.encrypt(
                        os.environ["PLAINTEXT"].encode(), private_key=ec.generate_private_key(ec.SECP256R1()),
                        dh=unb64(os.environ["P256DH"]), auth_secret=unb64(os.environ["AUTH"]), version="aes128gcm")
                    vapid = py_vapid.Vapid02()
                    vapid.generate_keys()
                    headers = vapid.sign({"aud": os.environ["ORIGIN"], "sub": "mailto:ops@example.com"})
                    print(json.dumps({"body": base64.b64encode(body).decode(), "authorization": headers["Authorization"]}))
                    """,
                environment: ["PLAINTEXT": plaintext, "P256DH": subscription.p256dh, "AUTH": subscription.auth, "ORIGIN": origin])
            let json = try #require(JSONSerialization.jsonObject(with: output) as? [String: String])
            let body = try #require(json["body"].flatMap { Data(base64Encoded: $0) })
            let authorization = try #require(json["authorization"])

            let response = try await harness.webPush(
                subscription, plaintext: Data(), authorization: authorization, body: body)
            #expect(response.status == 201)
            #expect(harness.simulator.received(platform: .webpush).first?.text == plaintext)
        }
    }
}

enum PythonInterop {
    static let isAvailable: Bool = (try? run(script: "import http_ece, py_vapid, cryptography", environment: [:])) != nil

    /// Runs `python3 -c script`; returns stdout, throws on a non-zero exit.
    static func run(script: String, environment: [String: String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("python3 exited with \(process.terminationStatus)") }
        return output
    }
}
