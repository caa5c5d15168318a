import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PerchCore
import PerchGateways
import PerchServer
import PerchTestSupport
import Testing
@testable import PerchDelivery

/// No input crashes or stalls the server: random and mutated bodies, paths and headers for every route of
/// `GET /openapi.json` (so routes added later are fuzzed too), with the publishable, secret and admin keys and
/// none. Every answer is 2xx, 3xx or 4xx — never 5xx, never a dropped connection or a stall — and the server
/// still answers `/healthz` at the end.
///
/// Seeded and bounded: the seed is printed (`PERCH_FUZZ_SEED=… swift test --filter InputFuzzTests` replays a
/// run), and each backend, once it has tried every operation, stops at `PERCH_FUZZ_REQUESTS` requests (default 1500)
/// or `PERCH_FUZZ_SECONDS` seconds (default 25), whichever comes first, so CI spends about a minute here.
@Suite(.serialized) struct InputFuzzTests {
    static let requestBudget = Int(ProcessInfo.processInfo.environment["PERCH_FUZZ_REQUESTS"] ?? "") ?? 1500
    static let secondsBudget = Double(ProcessInfo.processInfo.environment["PERCH_FUZZ_SECONDS"] ?? "") ?? 25
    /// One request taking longer than this is a stall (the slowest legitimate route answers in well under a second;
    /// this leaves room for a loaded CI machine).
    static let stallLimit: Duration = .seconds(20)

    @Test(arguments: TestBackend.allCases) func noInputCrashesOrStallsTheServer(_ backend: TestBackend) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["PERCH_FUZZ_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        print("InputFuzzTests[\(backend)]: seed \(seed) (replay with PERCH_FUZZ_SEED=\(seed))")
        // The fuzzer's made-up hosts are the operator's, and every name resolves to loopback, where nothing listens
        // on 443: whatever the fuzzer registers or configures, no request leaves the machine.
        var server = try await TestServer.on(backend)
        server.allowedGatewayHosts.entries += FuzzCorpus.hosts.map { GatewayHostAllowList.Entry(host: $0) }
        let gateways = PushGateways(logger: Logger(label: "fuzz.gateways"), connectTimeout: .seconds(2))
        server.gateways = server.gatewayDirectory(gateways, resolver: CachingEndpointResolver(resolver: LoopbackResolver()))
        // The limits on, generous enough that the fuzzer reaches the routes behind them.
        var limits = RateLimitPolicy()
        limits.perInstallation = RateLimit(requests: 100_000, period: 1)
        limits.perClientAddress = RateLimit(requests: 100_000, period: 1)
        limits.perPublishableKey = RateLimit(requests: 100_000, period: 1)
        limits.trustedProxies = [TrustedProxy("127.0.0.1")!, TrustedProxy("::1")!]
        server.rateLimits = limits
        do {
            try await server.run { client in try await Self.fuzz(client, seed: seed) }
        } catch {
            try? await gateways.httpClient.shutdown()
            throw error
        }
        try await gateways.httpClient.shutdown()
    }

    static func fuzz(_ client: TestServer.Client, seed: UInt64) async throws {
        let app = try await client.createApp("Fuzz")
        let fixtures = try await FuzzFixtures.make(client, app: app)
        let document = try await client.call(.get, "/openapi.json")
        let operations = try #require(FuzzOperation.all(in: document.json), "openapi.json lists no paths")
        #expect(operations.count >= 30, "only \(operations.count) operations in /openapi.json")

        let port = try #require(client.client.port)
        var random = SeededGenerator(seed: seed)
        let corpus = FuzzCorpus(fixtures: fixtures)
        let deadline = ContinuousClock.now + .seconds(secondsBudget)
        var sent = 0
        var statuses: [Int: Int] = [:]
        var covered = Set<String>()
        // Every operation is tried once however slow the machine; the budget bounds the random requests after them.
        while sent < requestBudget, sent < operations.count || ContinuousClock.now < deadline {
            // Every operation once with a valid body first, then at random.
            let operation = sent < operations.count ? operations[sent] : operations.randomElement(using: &random)!
            let request = corpus.request(for: operation, valid: sent < operations.count, using: &random)
            sent += 1
            let status: Int
            do {
                status = try await Self.send(request, port: port)
            } catch {
                Issue.record("seed \(seed), request \(sent): \(request) — no answer: \(error)")
                return
            }
            statuses[status, default: 0] += 1
            covered.insert("\(operation.method) \(operation.path)")
            guard status < 500 else {
                Issue.record("seed \(seed), request \(sent): \(request) — answered \(status)")
                return
            }
        }
        print("InputFuzzTests: \(sent) requests over \(covered.count) operations; statuses \(statuses.sorted { $0.key < $1.key })")
        #expect(covered.count == operations.count, "every operation was tried")
        #expect(statuses.keys.contains { (200..<300).contains($0) }, "some requests succeeded")
        #expect(statuses.keys.contains { (400..<500).contains($0) }, "some requests were refused")
        let health = try await client.call(.get, "/healthz")
        #expect(health.status == .ok, "the server still answers after the run")
    }

    /// Sends one request on a connection of its own (an answer followed by a close, as after a 413, is an answer; a
    /// close without one is not), and waits at most ``stallLimit`` for it.
    static func send(_ request: FuzzRequest, port: Int) async throws -> Int {
        try await TestClient.withClient(host: "localhost", port: port, configuration: .init(timeout: stallLimit)) { client in
            let response = try await client.execute(TestClient.Request(request.uri, method: request.method, headers: request.headers,
                                                                       body: request.body.map { ByteBuffer(bytes: $0) }))
            return Int(response.status.code)
        }
    }
}

/// Every host name is loopback: the fuzz test's gateways never reach the network.
struct LoopbackResolver: EndpointResolver {
    func addresses(of host: String) async throws -> [IPAddress] { [IPAddress("127.0.0.1")!] }
}

/// One operation of the OpenAPI document.
struct FuzzOperation: Sendable, CustomStringConvertible {
    var method: HTTPRequest.Method
    var path: String
    var schema: String?
    var key: String?

    var description: String { "\(method) \(path)" }

    static func all(in document: JSONValue) -> [FuzzOperation]? {
        guard case .object(let root) = document, case .object(let paths)? = root["paths"] else { return nil }
        var operations: [FuzzOperation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard case .object(let methods) = item else { continue }
            for (name, operation) in methods.sorted(by: { $0.key < $1.key }) {
                guard let method = HTTPRequest.Method(name.uppercased()) else { continue }
                var schema: String?
                if case .object(let body)? = operation.objectValue?["requestBody"],
                   let reference = body["content"]?.objectValue?["application/json"]?.objectValue?["schema"]?.objectValue?["$ref"]?.stringValue {
                    schema = reference.split(separator: "/").last.map(String.init)
                }
                let key = operation.objectValue?["description"]?.stringValue?.split(separator: " ").last.map { String($0.dropLast()) }
                operations.append(FuzzOperation(method: method, path: path, schema: schema, key: key))
            }
        }
        return operations
    }
}

/// A request the fuzzer sends.
struct FuzzRequest: Sendable, CustomStringConvertible {
    var method: HTTPRequest.Method
    var uri: String
    var headers: HTTPFields
    var body: [UInt8]?

    var description: String {
        let text = body.map { String(decoding: $0.prefix(300), as: UTF8.self) } ?? "-"
        let shown = headers.filter { $0.name != .authorization }.map { "\($0.name): \($0.value.prefix(80))" }
        return "\(method) \(uri.prefix(300)) [\(shown.joined(separator: "; "))] auth=\(headers[.authorization]?.prefix(12) ?? "none") body(\(body?.count ?? 0))=\(text)"
    }
}

/// What the fuzzer's requests name: a real app, installation, user, segment and campaign, so valid requests
/// reach the stores.
struct FuzzFixtures: Sendable {
    var app: TestServer.TestApp
    var installationId = "fuzz-ios"
    var userId = "fuzz-user"
    var segmentId: String
    var campaignId: String

    static func make(_ client: TestServer.Client, app: TestServer.TestApp) async throws -> FuzzFixtures {
        let registered = try await client.call(.post, "/v1/tokens", key: app.publishable, json: [
            "platform": "apns", "token": .string(Tokens.apns(77)), "installationId": "fuzz-ios", "consent": "granted"])
        #expect(registered.status == .created, "\(registered.json)")
        let user = try await client.call(.put, "/v1/users/fuzz-user", key: app.secret, json: ["attributes": ["plan": "pro"]])
        #expect(user.status == .ok, "\(user.json)")
        let segment = try await client.call(.post, "/v1/segments", key: app.secret, json: ["name": "all", "filter": "known or anonymous"])
        let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
            "name": "Fuzz", "audience": ["filter": "known"], "message": ["title": "Hi", "body": "There"]])
        return FuzzFixtures(app: app, segmentId: try #require(segment["id"]?.stringValue, "\(segment.json)"),
                            campaignId: try #require(campaign["id"]?.stringValue, "\(campaign.json)"))
    }
}

/// Valid example bodies per request schema, and the mutations made from them.
struct FuzzCorpus: Sendable {
    static let hosts = ["push.example.test", "example.test", "localhost.example.test"]
    let fixtures: FuzzFixtures

    func request(for operation: FuzzOperation, valid: Bool, using random: inout SeededGenerator) -> FuzzRequest {
        var headers = HTTPFields()
        // Mostly the key the route wants, so most requests get past authentication to the code that reads the input.
        let key = valid || Int.random(in: 0..<10, using: &random) < 7
            ? operation.key : ["publishable", "secret", "admin", nil, "garbage", "basic"].randomElement(using: &random)!
        switch key {
        case "publishable"?: headers[.authorization] = "Bearer \(fixtures.app.publishable)"
        case "secret"? where !operation.path.hasSuffix("/rotate"):
            // Rotating the fuzzer's own keys would blind the rest of the run; rotation is fuzzed with the other keys.
            headers[.authorization] = "Bearer \(fixtures.app.secret)"
        case "admin"? where !operation.path.hasSuffix("/rotate"): headers[.authorization] = "Bearer \(TestServer.adminKey)"
        case "garbage"?: headers[.authorization] = ["Bearer ", "Bearer sk_\(String(repeating: "x", count: 300))", "Basic %%%", "Digest x",
                                                     "Bearer pk_\u{00e9}"].randomElement(using: &random)!
        case "basic"?: headers[.authorization] = "Basic " + Data("app:\(fixtures.app.secret)".utf8).base64EncodedString()
        default: break
        }
        if !valid, Bool.random(using: &random) { headers[HTTPField.Name("X-Forwarded-For")!] = Self.forwarded.randomElement(using: &random)! }
        if !valid, Int.random(in: 0..<8, using: &random) == 0 { headers[HTTPField.Name("Idempotency-Key")!] = Self.strings.randomElement(using: &random)! }
        if !valid, Int.random(in: 0..<8, using: &random) == 0 { headers[.origin] = "https://evil.example.test" }

        var uri = path(operation.path, valid: valid, using: &random)
        if operation.method == .get, !valid || Bool.random(using: &random) { uri += query(using: &random) }

        var body: [UInt8]?
        let json = example(operation.schema, using: &random)
        if let json, valid || Int.random(in: 0..<6, using: &random) > 0 {
            body = valid ? Array(json.jsonText.utf8) : mutatedText(mutated(json, using: &random), using: &random)
        } else if !valid, Bool.random(using: &random) {
            body = Self.rawBodies.randomElement(using: &random)!
        }
        if body != nil {
            headers[.contentType] = valid || Int.random(in: 0..<10, using: &random) < 8
                ? "application/json" : Self.contentTypes.randomElement(using: &random)!
            if headers[.contentType] == "" { headers[.contentType] = nil }
        }
        return FuzzRequest(method: operation.method, uri: uri, headers: headers, body: body)
    }

    // MARK: paths and queries

    func path(_ template: String, valid: Bool, using random: inout SeededGenerator) -> String {
        var segments: [String] = []
        for segment in template.split(separator: "/", omittingEmptySubsequences: false) {
            guard segment.hasPrefix("{"), segment.hasSuffix("}") else { segments.append(String(segment)); continue }
            let name = String(segment.dropFirst().dropLast())
            let real: String = switch name {
            case "appId": fixtures.app.id
            case "installationId": fixtures.installationId
            case "userId": fixtures.userId
            case "segmentId": fixtures.segmentId
            case "campaignId": fixtures.campaignId
            case "platform": ["apns", "fcm", "webpush"].randomElement(using: &random)!
            case "kind": ["deliveries", "events", "tokens"].randomElement(using: &random)!
            default: "x"
            }
            segments.append(valid || Int.random(in: 0..<3, using: &random) > 0 ? real : Self.pathSegments.randomElement(using: &random)!)
        }
        var path = segments.joined(separator: "/")
        if !valid {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: path += "/" + Self.pathSegments.randomElement(using: &random)!
            case 1: path += "/"
            case 2: path = path.replacingOccurrences(of: "/v1/", with: "/v1//")
            case 3: path += "%00"
            default: break
            }
        }
        return path
    }

    func query(using random: inout SeededGenerator) -> String {
        let names = ["days", "weeks", "sample", "platform", "appVersion", "since", "until", "format", "campaignId", "installationId",
                     "userId", "limit", "offset", "q"]
        let values = ["0", "-1", "1", "99999999999999999999", "9223372036854775807", "-9223372036854775808", "1e308", "NaN", "",
                      "apns", "webpush", "csv", "ndjson", "2.3.1", "99999999999.0.0", "2026-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                      "0000-01-01T00:00:00Z", "%FF%FE", "%00", "fuzz-ios", "%E2%80%AE", String(repeating: "a", count: 3000)]
        let count = Int.random(in: 1...3, using: &random)
        return "?" + (0..<count).map { _ in "\(names.randomElement(using: &random)!)=\(values.randomElement(using: &random)!)" }
            .joined(separator: "&")
    }

    // MARK: bodies

    func example(_ schema: String?, using random: inout SeededGenerator) -> JSONValue? {
        let installation = JSONValue.string(fixtures.installationId)
        switch schema {
        case nil: return nil
        case "CreateApp": return ["name": "Fuzzed", "bundleId": "com.example.fuzz", "webOrigin": "https://example.test"]
        case "GatewaySettings":
            // No usable credentials: a fuzzed gateway must never become one that sends.
            let options: [JSONValue] = [
                ["teamId": "ABCDE12345", "keyId": "KEY1234567", "privateKey": "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----",
                 "topic": "com.example.fuzz", "environment": "sandbox", "endpoint": "https://push.example.test:2197"],
                ["serviceAccount": ["project_id": "fuzz", "client_email": "fuzz@fuzz.iam.gserviceaccount.com", "private_key": "nope",
                                    "token_uri": "https://push.example.test/token"], "endpoint": "https://push.example.test"],
                ["subject": "mailto:ops@example.test", "allowedEndpointHosts": ["push.example.test"], "messagesPerSecond": 10],
            ]
            return options.randomElement(using: &random)!
        case "Registration":
            let options: [JSONValue] = [
                ["platform": "apns", "token": .string(Tokens.apns(Int.random(in: 0..<1000, using: &random))), "installationId": installation,
                 "environment": "sandbox", "appVersion": "2.3.1", "locale": "de-DE", "timezone": "Europe/Berlin", "consent": "granted",
                 "attributes": ["plan": "pro", "score": 3, "tags": ["a", "b"]], "kind": "device"],
                ["platform": "fcm", "token": .string(Tokens.fcm(5)), "installationId": "fuzz-android", "appVersion": "1.0",
                 "previousToken": .string(Tokens.fcm(4))],
                ["platform": "webpush", "installationId": "fuzz-web",
                 "subscription": Tokens.subscription(endpoint: "https://push.example.test/send/abc")],
                ["platform": "apns", "token": .string(Tokens.apns(9)), "installationId": installation, "kind": "liveActivity",
                 "activityType": "Delivery", "activityId": "order-1"],
            ]
            return options.randomElement(using: &random)!
        case "Consent": return ["status": "granted", "source": "prompt"]
        case "Identify": return ["installationId": installation, "userId": .string(fixtures.userId)]
        case "Logout": return ["installationId": installation]
        case "Events":
            return ["events": [
                ["type": "opened", "installationId": installation, "campaignId": .string(fixtures.campaignId), "at": "2026-01-01T00:00:00Z"],
                ["type": "converted", "installationId": installation, "value": 9.5, "currency": "EUR"],
                ["type": "custom", "name": "cart_abandoned", "installationId": installation, "properties": ["items": 3]],
            ]]
        case "Send":
            return ["to": ["installationId": installation], "message": ["title": "Hi", "body": "There", "data": ["k": "v"], "badge": 1],
                    "ttlSeconds": 60, "waitSeconds": 0]
        case "Segment": return ["name": "fuzzed", "filter": "platform == \"apns\" and lastSeenAt within 30d"]
        case "Campaign":
            let options: [JSONValue] = [
                ["name": "Fuzzed", "audience": ["filter": "known and user.plan == \"pro\""],
                 "message": ["title": "Hi", "body": "Hi {{user.name | default: \"there\"}}", "data": ["k": "v"]],
                 "frequencyCap": ["limit": 3, "windowSeconds": 86_400], "holdoutPercent": 10,
                 "quietHours": ["start": "22:00", "end": "08:00", "action": "defer", "fallbackTimeZone": "UTC"],
                 "schedule": ["at": "2030-01-01T00:00:00Z"], "ttlSeconds": 3600, "attributionWindowDays": 7,
                 "variants": [["name": "a", "weight": 1], ["name": "b", "weight": 2]]],
                ["name": "Triggered", "message": ["title": "Cart", "body": "Waiting"],
                 "trigger": ["event": "cart_abandoned", "delaySeconds": 60, "cancelIf": "purchase"]],
                ["name": "Local", "audience": ["installationIds": [installation]], "message": ["title": "Hi", "body": "There"],
                 "schedule": ["localTime": "09:00", "fallbackTimeZone": "Europe/Berlin"]],
            ]
            return options.randomElement(using: &random)!
        case "GorushPush":
            return ["notifications": [["tokens": [.string(Tokens.apns(1))], "platform": 1, "message": "Hello", "title": "T",
                                       "topic": "com.example.fuzz", "badge": 1, "expiration": 1_900_000_000, "time_to_live": 60,
                                       "data": ["a": 1], "priority": "high"]]]
        case "UserAttributes": return ["attributes": ["plan": "pro", "age": 30, "tags": ["a", "b"]]]
        default:
            // A schema added after this test: a body with the usual numeric fields, mutated like the rest.
            return ["graceSeconds": 86_400, "name": "x", "limit": 10]
        }
    }

    /// Makes one to three changes to `value`, each at a node chosen at random: an extreme, a wrong type, a deep
    /// nest, a filter meant to trap, a removed or an added key.
    func mutated(_ value: JSONValue, using random: inout SeededGenerator) -> JSONValue {
        var result = value
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let target = Int.random(in: 0..<Self.nodeCount(result), using: &random)
            var index = 0
            result = replace(result, target: target, index: &index, using: &random)
        }
        return result
    }

    static func nodeCount(_ value: JSONValue) -> Int {
        switch value {
        case .array(let items): 1 + items.reduce(0) { $0 + nodeCount($1) }
        case .object(let members): 1 + members.values.reduce(0) { $0 + nodeCount($1) }
        default: 1
        }
    }

    /// Walks `value` in pre-order, numbering nodes from `index`, and replaces the one numbered `target`.
    private func replace(_ value: JSONValue, target: Int, index: inout Int, using random: inout SeededGenerator) -> JSONValue {
        let mine = index
        index += 1
        if mine == target { return replacement(for: value, using: &random) }
        switch value {
        case .array(let items):
            var copy: [JSONValue] = []
            for item in items { copy.append(replace(item, target: target, index: &index, using: &random)) }
            return .array(copy)
        case .object(let members):
            var copy: [String: JSONValue] = [:]
            for (key, item) in members.sorted(by: { $0.key < $1.key }) { copy[key] = replace(item, target: target, index: &index, using: &random) }
            return .object(copy)
        default:
            return value
        }
    }

    private func replacement(for value: JSONValue, using random: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1: return Self.numbers.randomElement(using: &random)!
        case 2, 3: return .string(Self.strings.randomElement(using: &random)!)
        case 4:
            let wrongTypes: [JSONValue] = [.null, .bool(true), .array([]), .object([:]), .string("1")]
            return wrongTypes.randomElement(using: &random)!
        case 5: return Self.nested(depth: Int.random(in: 5...80, using: &random), object: Bool.random(using: &random))
        case 6:
            guard case .object(var members) = value, let key = members.keys.sorted().randomElement(using: &random) else { return .null }
            members[key] = nil
            return .object(members)
        case 7:
            guard case .object(var members) = value else { return .array(Array(repeating: value, count: Int.random(in: 2...50, using: &random))) }
            members[Self.strings.randomElement(using: &random)!] = Self.numbers.randomElement(using: &random)!
            return .object(members)
        case 8: return .string(Self.filters.randomElement(using: &random)!)
        default:
            guard case .object(var members) = value else { return .object(["attributes": Self.manyAttributes]) }
            members["attributes"] = Self.manyAttributes
            return .object(members)
        }
    }

    /// The JSON text of `value`, sometimes cut short or with a number written past `Double`'s or `Int64`'s range.
    func mutatedText(_ value: JSONValue, using random: inout SeededGenerator) -> [UInt8] {
        var text = value.jsonText
        switch Int.random(in: 0..<8, using: &random) {
        case 0: text = String(text.prefix(Int.random(in: 0...max(0, text.count), using: &random)))
        case 1:
            if let range = text.range(of: #"-?[0-9]+(\.[0-9]+)?"#, options: .regularExpression) {
                text.replaceSubrange(range, with: ["1e999", "-1e999", "9223372036854775808", "-9223372036854775809",
                                                   "123456789012345678901234567890", "0.0000000000000000000000001", "-0"]
                    .randomElement(using: &random)!)
            }
        case 2: text = text.replacingOccurrences(of: "\"", with: "'")
        default: break
        }
        return Array(text.utf8)
    }

    static func nested(depth: Int, object: Bool) -> JSONValue {
        var value: JSONValue = .integer(1)
        for _ in 0..<depth { value = object ? .object(["a": value]) : .array([value]) }
        return value
    }

    static let numbers: [JSONValue] = [.integer(0), .integer(-1), .integer(Int.max), .integer(Int.min), .integer(Int(Int32.max) + 1),
                                       .number(1e308), .number(-1e308), .number(.leastNonzeroMagnitude), .number(0.5), .integer(9_007_199_254_740_993),
                                       .integer(86_400 * 365 * 1000)]
    static let strings: [String] = ["", " ", "a", String(repeating: "x", count: 5000), "💥\u{0}\u{202E}ℌ", "../../etc/passwd", "%00",
                                    "null", "1e999", "99999999999999w", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "25:99",
                                    "{{user.name}}", "{{", "https://127.0.0.1:1/x", "https://[::1]/x", "https://push.example.test:99999/x",
                                    "mailto:", "\u{FEFF}", "Europe/Nowhere", "-----BEGIN PRIVATE KEY-----"]
    static let filters: [String] = [
        "lastSeenAt within 99999999999999w", "lastSeenAt within 9223372036854775807s", "lastSeenAt within 106751991167301d",
        String(repeating: "not ", count: 900) + "known", String(repeating: "(", count: 500) + "known" + String(repeating: ")", count: 500),
        "appVersion >= \"99999999999999999999.1\"", "user.score > 1" + String(repeating: "0", count: 400),
        "event(\"opened\") count >= 99999999999 within 1d", "user.x in [" + Array(repeating: "1", count: 1500).joined(separator: ",") + "]",
        "lastSeenAt before \"9999-12-31T23:59:59Z\"", "known and", "\"unterminated",
    ]
    static let manyAttributes: JSONValue = .object(Dictionary(uniqueKeysWithValues: (0..<150).map { ("k\($0)", JSONValue.string("v")) }))
    static let contentTypes = ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain",
                               "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx",
                               "application/json-patch+json"]
    // Percent-encoded where raw bytes would be invalid in a request line: the fuzzer tests Perch, not the HTTP parser.
    static let pathSegments = ["", "..", "%2e%2e", "%00", "%FF", String(repeating: "a", count: 2000), "%F0%9F%92%A5", "null", "-1",
                               "99999999999999999999", "a;b", "x%2Fy", "%7Bid%7D", "fuzz-ios", "unknown-installation", "%20"]
    static let forwarded = ["10.0.0.1", "not-an-address", "1.2.3.4, 127.0.0.1", "::ffff:10.0.0.1", String(repeating: "1.1.1.1,", count: 500),
                            "[::1]", "999.999.999.999", "fe80::1%eth0"]
    static let rawBodies: [[UInt8]] = [
        [], Array("{".utf8), Array("[]".utf8), Array("null".utf8), Array("\"x\"".utf8), Array("key=value&a=b".utf8),
        Array(String(repeating: "[", count: 100_000).utf8), Array(String(repeating: "{\"a\":", count: 5000).utf8),
        Array(repeating: 0xFF, count: 1000), Array(String(repeating: "x", count: 70_000).utf8), [0xEF, 0xBB, 0xBF, 0x7B, 0x7D],
        Array("{\"a\":1,\"a\":2}".utf8), Array("1e999".utf8),
    ]
}
