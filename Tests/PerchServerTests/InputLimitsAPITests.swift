import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PerchCore
@testable import PerchServer
import PerchTestSupport
import Testing

/// Bad input is a 4xx naming the field — never a crash: numbers past their range, nesting past its depth,
/// bodies past their size, bodies that are not JSON, and HTTP Basic where only Bearer belongs.
@Suite struct InputLimitsAPITests {
    static func register(_ client: TestServer.Client, _ app: TestServer.TestApp, installation: String = "ios", extra: [String: JSONValue] = [:]) async throws -> Answer {
        var body: [String: JSONValue] = ["platform": "apns", "token": .string(Tokens.apns(installation.count)), "installationId": .string(installation)]
        body.merge(extra) { _, new in new }
        return try await client.call(.post, "/v1/tokens", key: app.publishable, json: .object(body))
    }

    @Test(arguments: TestBackend.allCases) func aJSONRouteAnswers415ToABodyThatIsNotJSON(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let body = #"{"platform":"apns","token":"\#(Tokens.apns(1))","installationId":"ios"}"#
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"] {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(app.publishable)"
                headers[.contentType] = type
                let answer = try await client.raw(.post, "/v1/tokens", headers: headers, body: body)
                #expect(answer.status == .unsupportedMediaType && answer.errorCode == "unsupported_media_type", "\(type): \(answer.json)")
                #expect(answer.errorField == "Content-Type")
            }
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(app.publishable)"
            let untyped = try await client.raw(.post, "/v1/tokens", headers: headers, body: body)
            #expect(untyped.status == .unsupportedMediaType, "a body without a content type is refused too")
            headers[.contentType] = "Application/JSON; charset=utf-8"
            // 201: the refused attempts stored nothing, so this one creates the installation.
            #expect(try await client.raw(.post, "/v1/tokens", headers: headers, body: body).status == .created)

            // A request without a body needs no content type.
            let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "Hello", "audience": ["installationIds": ["ios"]], "message": ["title": "Hi", "body": "There"]])
            let id = try #require(campaign["id"]?.stringValue, "\(campaign.json)")
            var bare = HTTPFields()
            bare[.authorization] = "Bearer \(app.secret)"
            let cancelled = try await client.client.execute(uri: "/v1/campaigns/\(id)/cancel", method: .post, headers: bare, body: nil) { $0.status }
            #expect(cancelled == .ok)
            // The dashboard's sign-in form is no JSON route: it keeps taking its form.
            var form = HTTPFields()
            form[.contentType] = "application/x-www-form-urlencoded"
            #expect(try await client.raw(.post, "/signin", headers: form, body: "key=wrong").status != .unsupportedMediaType)
        }
    }

    @Test(arguments: TestBackend.allCases) func httpBasicIsAcceptedOnlyOnTheGorushRoute(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            _ = try await Self.register(client, app)
            var basic = HTTPFields()
            basic[.authorization] = "Basic " + Data("app:\(app.secret)".utf8).base64EncodedString()
            let refused = try await client.client.execute(uri: "/v1/installations/ios", method: .get, headers: basic, body: nil) { response in
                (response.status, String(buffer: response.body))
            }
            #expect(refused.0 == .unauthorized && refused.1.contains("Bearer"))
            var bearer = HTTPFields()
            bearer[.authorization] = "Bearer \(app.secret)"
            #expect(try await client.client.execute(uri: "/v1/installations/ios", method: .get, headers: bearer, body: nil) { $0.status } == .ok)
            // On /api/push the same credentials authenticate (this server sends nothing, so the route answers that, not 401).
            basic[.contentType] = "application/json"
            let gorush = try await client.raw(.post, "/api/push", headers: basic, body: #"{"notifications":[]}"#)
            #expect(gorush.status != .unauthorized, "\(gorush.json)")
        }
    }

    @Test(arguments: TestBackend.allCases) func numbersPastTheirRangeAreA400NamingTheField(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            for filter in ["lastSeenAt within 99999999999999w", String(repeating: "not ", count: 200) + "known"] {
                let segment = try await client.call(.post, "/v1/segments", key: app.secret, json: ["name": "x", "filter": .string(filter)])
                #expect(segment.status == .badRequest && segment.errorField == "filter", "\(segment.json)")
            }
            let message: JSONValue = ["title": "Hi", "body": "There"]
            let caps: [(JSONValue, String)] = [(["limit": 1, "windowSeconds": .integer(Int.max)], "frequencyCap[0].windowSeconds"),
                                               (["limit": 1, "windowSeconds": .integer(Int.min)], "frequencyCap[0].windowSeconds"),
                                               (["limit": .integer(Int.min), "windowSeconds": 3600], "frequencyCap[0].limit")]
            for (cap, field) in caps {
                let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                    "name": "Capped", "audience": ["filter": "known"], "message": message, "frequencyCap": .array([cap])])
                #expect(campaign.status == .badRequest && campaign.errorField == field, "\(campaign.json)")
            }
            let ttl = try await client.call(.post, "/v1/campaigns", key: app.secret, json: [
                "name": "TTL", "audience": ["filter": "known"], "message": message, "ttlSeconds": .integer(Int.max)])
            #expect(ttl.status == .badRequest && ttl.errorField == "ttlSeconds")
            let query = try await client.call(.get, "/v1/metrics/tokens/growth?days=99999999999999999999", key: app.secret)
            #expect(query.status == .badRequest && query.errorField == "days", "\(query.json)")
            // The server is still up.
            #expect(try await client.call(.get, "/healthz").status == .ok)
        }
    }

    @Test(arguments: TestBackend.allCases) func nestingAndSizeHaveLimits(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let big = try await Self.register(client, app, extra: ["attributes": ["bio": .string(String(repeating: "x", count: 2000))]])
            #expect(big.status == .badRequest && big.errorField == "attributes.bio", "\(big.json)")
            let deep = try await Self.register(client, app, extra: ["attributes": ["tree": [[[[["leaf"]]]]]]])
            #expect(deep.status == .badRequest && deep.errorField == "attributes.tree", "\(deep.json)")
            let many = JSONValue.object(Dictionary(uniqueKeysWithValues: (0...100).map { ("k\($0)", JSONValue.integer($0)) }))
            let user = try await client.call(.put, "/v1/users/alice", key: app.secret, json: ["attributes": many])
            #expect(user.status == .badRequest && user.errorField == "attributes", "\(user.json)")
            let nested = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
            let data = try await client.call(.post, "/v1/campaigns", key: app.secret, raw: #"{"name":"n","audience":{"filter":"known"},"message":{"title":"t","body":"b","data":{"x":\#(nested)}}}"#)
            #expect(data.status == .badRequest && data.errorField?.hasPrefix("message") == true, "\(data.json)")
            // Over 64 KiB: 413.
            let huge = try await Self.register(client, app, extra: ["appVersion": .string(String(repeating: "1", count: 70_000))])
            #expect(huge.status == .contentTooLarge && huge.errorCode == "body_too_large")
            let events = try await client.call(.post, "/v1/events", key: app.publishable, raw: "[" + String(repeating: " ", count: 1 << 20) + "]")
            #expect(events.status == .contentTooLarge)
            #expect(try await Self.register(client, app).status == .created)
        }
    }

    @Test(arguments: TestBackend.allCases) func textHoldingNULIsRefusedOnEveryBackendAlike(_ backend: TestBackend) async throws {
        try await TestServer.on(backend).run { client in
            let app = try await client.createApp()
            let campaign = try await client.call(.post, "/v1/campaigns", key: app.secret,
                                                 raw: #"{"name":"a\u0000b","audience":{"filter":"known"},"message":{"title":"t","body":"b"}}"#)
            #expect(campaign.status == .badRequest && campaign.errorCode == "malformed_body", "\(campaign.json)")
            let user = try await client.call(.put, "/v1/users/alice", key: app.secret, raw: #"{"attributes":{"bio":"\u0000"}}"#)
            #expect(user.status == .badRequest, "\(user.json)")
            // An escaped backslash before "u0000" is just text.
            let fine = try await client.call(.put, "/v1/users/alice", key: app.secret, raw: #"{"attributes":{"path":"C:\\u0000"}}"#)
            #expect(fine.status == .ok, "\(fine.json)")
            // In a query parameter too (found by the fuzz test: a 500 on PostgreSQL before).
            let export = try await client.call(.get, "/v1/exports/deliveries?campaignId=%00", key: app.secret)
            #expect(export.status == .badRequest && export.errorField == "campaignId", "\(export.json)")
            let health = try await client.call(.get, "/v1/metrics/tokens?appVersion=1%002", key: app.secret)
            #expect(health.status == .badRequest && health.errorField == "appVersion", "\(health.json)")
        }
    }

    @Test func theNULScanReadsJSONStringsAndEscapes() {
        func scan(_ text: String) -> Bool { JSONBody.containsEscapedNUL(Array(text.utf8)) }
        #expect(scan(#"{"a":"\u0000"}"#))
        #expect(scan(#"{"a\u0000":1}"#))
        #expect(!scan(#"{"a":"\\u0000"}"#))
        #expect(scan(#"{"a":"\u00001"}"#))
        #expect(!scan(#"{"a":"\u0041","b":"u0000"}"#))
        #expect(!scan(#"{"a":1}"#))
    }
}
