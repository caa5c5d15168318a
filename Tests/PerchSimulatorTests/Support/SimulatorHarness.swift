import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import PerchCore
import _CryptoExtras

@testable import PerchSimulator

/// An HTTP answer as the independent test client saw it.
struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: Data
    var version: HTTPVersion

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var reason: String? { json?["reason"] as? String }
    /// FCM's `error.details[].errorCode`.
    var fcmErrorCode: String? {
        let details = (json?["error"] as? [String: Any])?["details"] as? [[String: Any]]
        return details?.compactMap { $0["errorCode"] as? String }.first
    }
    var fcmStatus: String? { (json?["error"] as? [String: Any])?["status"] as? String }
}

/// A started simulator and an HTTP/2-capable async-http-client that trusts only its CA.
struct SimulatorHarness {
    let simulator: PushSimulator
    let endpoints: SimulatorEndpoints
    let client: HTTPClient

    static let deviceToken = String(repeating: "ab", count: 32)

    func request(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeAmount = .seconds(15)
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return TestResponse(
            status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView),
            version: response.version)
    }

    // MARK: APNs

    func providerToken(
        issuedAt: Date = Date(), keyId: String? = nil, teamId: String? = nil, key: P256.Signing.PrivateKey? = nil
    ) throws -> String {
        let signingKey = try key ?? P256.Signing.PrivateKey(pemRepresentation: endpoints.apns.privateKeyPEM)
        return try TestJWT.es256(
            header: ["alg": "ES256", "kid": keyId ?? endpoints.apns.keyId],
            claims: ["iss": teamId ?? endpoints.apns.teamId, "iat": Int(issuedAt.timeIntervalSince1970)],
            key: signingKey)
    }

    /// `POST /3/device/<token>` with a valid provider token and topic unless overridden.
    func apnsPush(
        token: String = SimulatorHarness.deviceToken, sandbox: Bool = false,
        payload: Data = Data(#"{"aps":{"alert":"hello"}}"#.utf8),
        headers extra: [(String, String)] = [], authorization: String?? = .none,
        timeout: TimeAmount = .seconds(15)
    ) async throws -> TestResponse {
        var headers: [(String, String)] = []
        switch authorization {
        case .none: headers.append(("authorization", "bearer \(try providerToken())"))
        case .some(.some(let value)): headers.append(("authorization", value))
        case .some(.none): break
        }
        let overridden = Set(extra.map { $0.0 })
        if !overridden.contains("apns-topic") { headers.append(("apns-topic", endpoints.apns.topic)) }
        if !overridden.contains("apns-push-type") { headers.append(("apns-push-type", "alert")) }
        headers += extra
        let host = sandbox ? endpoints.apnsSandboxURL : endpoints.apnsURL
        return try await request(.POST, "\(host)/3/device/\(token)", headers: headers, body: payload, timeout: timeout)
    }

    // MARK: FCM

    var serviceAccount: [String: String] {
        (try? JSONSerialization.jsonObject(with: Data(endpoints.fcmServiceAccountJSON.utf8))) as? [String: String] ?? [:]
    }

    func assertion(claims override: [String: Any] = [:], key: _RSA.Signing.PrivateKey? = nil, kid: String? = nil) throws -> String {
        let account = serviceAccount
        let signingKey = try key ?? _RSA.Signing.PrivateKey(pemRepresentation: account["private_key"] ?? "")
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": account["client_email"] ?? "",
            "scope": "https://www.googleapis.com/auth/firebase.messaging",
            "aud": account["token_uri"] ?? "",
            "iat": now,
            "exp": now + 3600,
        ]
        claims.merge(override) { $1 }
        return try TestJWT.rs256(
            header: ["alg": "RS256", "typ": "JWT", "kid": kid ?? account["private_key_id"] ?? ""], claims: claims,
            key: signingKey)
    }

    func exchange(assertion: String, grantType: String = "urn:ietf:params:oauth:grant-type:jwt-bearer") async throws -> TestResponse {
        let allowed = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
        let form = "grant_type=\(grantType.addingPercentEncoding(withAllowedCharacters: allowed)!)&assertion=\(assertion)"
        return try await request(
            .POST, serviceAccount["token_uri"] ?? "", headers: [("content-type", "application/x-www-form-urlencoded")],
            body: Data(form.utf8))
    }

    func fcmAccessToken() async throws -> String {
        let response = try await exchange(assertion: try assertion())
        guard let token = response.json?["access_token"] as? String else {
            throw TestFailure("OAuth exchange answered \(response.status)")
        }
        return token
    }

    func fcmSend(message: [String: Any], accessToken: String, project: String? = nil) async throws -> TestResponse {
        let body = try JSONSerialization.data(withJSONObject: ["message": message])
        return try await request(
            .POST, "\(endpoints.fcmURL)/v1/projects/\(project ?? endpoints.fcmProjectId)/messages:send",
            headers: [("authorization", "Bearer \(accessToken)"), ("content-type", "application/json")], body: body)
    }

    // MARK: Web Push

    /// The VAPID `Authorization` header value for `endpoint`, with claims overridable.
    func vapid(for endpoint: String, key: P256.Signing.PrivateKey, claims override: [String: Any] = [:], signer: P256.Signing.PrivateKey? = nil) throws -> String {
        let url = URL(string: endpoint)!
        var claims: [String: Any] = [
            "aud": "\(url.scheme!)://\(url.host!):\(url.port!)",
            "exp": Int(Date().timeIntervalSince1970) + 12 * 3600,
            "sub": "mailto:ops@example.com",
        ]
        claims.merge(override) { $1 }
        let jwt = try TestJWT.es256(header: ["typ": "JWT", "alg": "ES256"], claims: claims, key: signer ?? key)
        return "vapid t=\(jwt), k=\(TestJWT.base64URL(key.publicKey.x963Representation))"
    }

    func webPush(
        _ subscription: WebPushSubscriptionInfo, plaintext: Data, vapidKey: P256.Signing.PrivateKey = .init(),
        authorization: String?? = .none, headers extra: [(String, String)] = [("ttl", "60")], body: Data? = nil
    ) async throws -> TestResponse {
        let encrypted = try body ?? TestWebPushEncryptor.encrypt(
            plaintext, p256dh: TestJWT.base64URLDecode(subscription.p256dh)!, auth: TestJWT.base64URLDecode(subscription.auth)!)
        var headers: [(String, String)] = [("content-encoding", "aes128gcm")]
        switch authorization {
        case .none: headers.append(("authorization", try vapid(for: subscription.endpoint, key: vapidKey)))
        case .some(.some(let value)): headers.append(("authorization", value))
        case .some(.none): break
        }
        headers += extra
        return try await request(.POST, subscription.endpoint, headers: headers, body: encrypted)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` against a freshly started simulator and shuts both client and simulator down after.
func withSimulator(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (SimulatorHarness) async throws -> Void
) async throws {
    var configuration = SimulatorConfiguration()
    configuration.eventLoopThreads = 1
    configure(&configuration)
    let simulator = PushSimulator(configuration: configuration)
    let endpoints = try await simulator.start()

    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(endpoints.caCertificatePEM.utf8), format: .pem)])
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.tlsConfiguration = tls
    clientConfiguration.httpVersion = .automatic
    // The whole suite runs in parallel on two cores; a TLS handshake can wait its turn for seconds.
    clientConfiguration.timeout = .init(connect: .seconds(60))
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)

    let harness = SimulatorHarness(simulator: simulator, endpoints: endpoints, client: client)
    do {
        try await body(harness)
    } catch {
        try? await client.shutdown()
        try? await simulator.shutdown()
        throw error
    }
    try await client.shutdown()
    try await simulator.shutdown()
}
