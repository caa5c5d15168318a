import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PerchCore
import PerchGateways
import PerchServer
import PerchSQLite
import PerchStore
import PerchTestSupport
import Synchronization
@testable import PerchDelivery
import PerchHealth

/// Every log line the server writes during a test.
final class LogCapture: Sendable {
    let lines = Mutex<[String]>([])

    func handler(label: String) -> some LogHandler { CapturingHandler(label: label, capture: self) }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct CapturingHandler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.lines.withLock { $0.append("\(event.level) \(label) \(event.message) \(all)") }
        }
    }
}

/// A JSON answer.
struct Answer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: JSONValue

    subscript(_ key: String) -> JSONValue? {
        if case .object(let object) = json { return object[key] }
        return nil
    }
    var errorField: String? {
        if case .object(let error)? = self["error"] { return error["field"]?.stringValue }
        return nil
    }
    var errorCode: String? {
        if case .object(let error)? = self["error"] { return error["code"]?.stringValue }
        return nil
    }
    var errorMessage: String? {
        if case .object(let error)? = self["error"] { return error["message"]?.stringValue }
        return nil
    }
}

/// A real Perch server on loopback over a real SQLite file (or a real PostgreSQL database), and a client for it.
struct TestServer {
    static let adminKey = "admin-" + String(repeating: "k", count: 32)
    static let masterKey = SymmetricKey(data: Data(repeating: 9, count: 32))
    /// `PERCH_METRICS_TOKEN` of every test server.
    static let metricsToken = "metrics-" + String(repeating: "m", count: 24)
    /// The operator's list of the tests: the simulators listen on loopback, on ports picked at start.
    static let loopbackGatewayHosts = GatewayHostAllowList(entries: [.init(host: "127.0.0.1"), .init(host: "::1")])
    let folder: URL
    /// The SQLite file (unused on PostgreSQL).
    let databasePath: String
    let store: any PerchStore
    /// Keeps the PostgreSQL pool running while the server lives.
    private let postgres: TestPostgres.Running?
    let logs = LogCapture()
    let metrics = PerchMetrics()
    /// Where gateway settings and Web Push endpoints may point beyond the real push services (`--allow-gateway-hosts`).
    var allowedGatewayHosts = TestServer.loopbackGatewayHosts
    /// Whether `/sdk/example.html` is served (`--sdk-example`).
    var servesSDKExample = false
    var now: @Sendable () -> Date = Date.init
    /// With gateways, the server also runs the campaign scheduler and a delivery worker.
    var gateways: GatewayDirectory?
    var deliveryLease: Duration = .seconds(30)
    /// Signs dashboard sessions; `nil` lets the server pick a random key.
    var dashboardKey: SymmetricKey?
    /// `PERCH_PUBLIC_URL`.
    var publicURL: URL?

    init() throws {
        let folder = try Self.makeFolder()
        let path = folder.appendingPathComponent("perch.sqlite").path
        self.init(folder: folder, databasePath: path, store: try SQLiteStore(path: path, vault: TokenVault(masterKey: Self.masterKey)),
                  postgres: nil)
    }

    /// A server on `backend`: SQLite as above, or a fresh, migrated database on the test PostgreSQL server.
    static func on(_ backend: TestBackend) async throws -> TestServer {
        guard backend == .postgres else { return try TestServer() }
        let running = try await TestPostgres.fresh(vault: TokenVault(masterKey: masterKey))
        return TestServer(folder: try makeFolder(), databasePath: "", store: running.store, postgres: running)
    }

    private init(folder: URL, databasePath: String, store: any PerchStore, postgres: TestPostgres.Running?) {
        self.folder = folder
        self.databasePath = databasePath
        self.store = store
        self.postgres = postgres
    }

    private static func makeFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The public routes' abuse limits (the server's defaults unless a test sets its own).
    var rateLimits = RateLimitPolicy()

    var api: PerchAPI {
        var api = PerchAPI(store: store, allowedGatewayHosts: allowedGatewayHosts, metrics: metrics, gateways: gateways, now: now,
                           rateLimits: rateLimits)
        api.metricsAccess = MetricsAccess(token: Self.metricsToken, openWithoutToken: false)
        api.servesSDKExample = servesSDKExample
        return api
    }

    /// A gateway directory over this server's store with its operator list, sending through `gateways`.
    func gatewayDirectory(_ gateways: PushGateways, resolver: CachingEndpointResolver = CachingEndpointResolver()) -> GatewayDirectory {
        GatewayDirectory(store: store, gateways: gateways, allowedHosts: allowedGatewayHosts, resolver: resolver)
    }

    func run(_ body: @Sendable (Client) async throws -> Void) async throws {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.adminKey = Self.adminKey
        configuration.dashboardKey = dashboardKey
        configuration.publicURL = publicURL
        let logs = self.logs
        let logger = Logger(label: "perch-test") { label in logs.handler(label: label) }
        var delivery = DeliveryConfiguration()
        delivery.lease = deliveryLease
        delivery.idleInterval = .milliseconds(10)
        let services = gateways.map {
            DeliveryServices.make(store: store, gateways: $0, configuration: delivery, metrics: metrics, outcomes: api.outcomes,
                                  logger: logger)
        } ?? []
        let app = PerchApplication.make(configuration: configuration, api: api, store: store, services: services, logger: logger)
        try await app.test(.live) { client in
            try await body(Client(client: client))
        }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol

        func call(_ method: HTTPRequest.Method, _ path: String, key: String? = nil, json: JSONValue? = nil, raw: String? = nil,
                  headers extra: HTTPFields = [:]) async throws -> Answer {
            var headers = extra
            if let key { headers[.authorization] = "Bearer \(key)" }
            var body: ByteBuffer?
            if let json { body = ByteBuffer(string: json.jsonText) }
            if let raw { body = ByteBuffer(string: raw) }
            if body != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: path, method: method, headers: headers, body: body) { response in
                let text = String(buffer: response.body)
                return Answer(status: response.status, headers: response.headers, json: JSONValue(jsonText: text) ?? .string(text))
            }
        }

        /// Creates an app with the admin key; answers its keys.
        func createApp(_ name: String = "Test App") async throws -> TestApp {
            let answer = try await call(.post, "/v1/apps", key: TestServer.adminKey, json: ["name": .string(name)])
            guard answer.status == .created, let id = answer["id"]?.stringValue, let pk = answer["publishableKey"]?.stringValue,
                  let sk = answer["secretKey"]?.stringValue, let vapid = answer["vapidPublicKey"]?.stringValue,
                  let identity = answer["identitySecret"]?.stringValue
            else { throw PerchError(.internalError, "app creation failed: \(answer.json)") }
            return TestApp(id: id, publishable: pk, secret: sk, vapidPublicKey: vapid, identitySecret: identity)
        }
    }

    struct TestApp: Sendable {
        var id: String
        var publishable: String
        var secret: String
        var vapidPublicKey: String
        /// Signs `userAuth`, as the app's backend does.
        var identitySecret: String

        /// A `userAuth` for `userId`, valid for ten minutes from `now` (what the app's backend mints after sign-in).
        func userAuth(for userId: String, expiresAt: Date = Date().addingTimeInterval(600), secret: String? = nil) -> String {
            TestJWT.hs256(["sub": .string(userId), "exp": .integer(Int(expiresAt.timeIntervalSince1970))],
                          secret: secret ?? identitySecret)
        }

        /// `body` with a `userAuth` for its `userId` added: for a publishable-key request that binds a user.
        func proving(_ body: JSONValue) -> JSONValue {
            guard case .object(var object) = body, let userId = object["userId"]?.stringValue else { return body }
            object["userAuth"] = .string(userAuth(for: userId))
            return .object(object)
        }
    }
}

/// JWTs written out by hand, as any backend's library would make them — and the broken ones an attacker would try.
enum TestJWT {
    static func hs256(_ claims: JSONValue, secret: String, header: JSONValue = ["alg": "HS256", "typ": "JWT"]) -> String {
        let input = Base64URL.encode(Data(header.jsonText.utf8)) + "." + Base64URL.encode(Data(claims.jsonText.utf8))
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + Base64URL.encode(Data(signature))
    }

    /// `alg: none`: claims and an empty signature.
    static func unsigned(_ claims: JSONValue) -> String {
        Base64URL.encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Data(claims.jsonText.utf8)) + "."
    }
}
