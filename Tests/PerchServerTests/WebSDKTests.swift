import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import PerchServer

/// `/sdk/…`: the web SDK's files, served byte for byte, cacheable, and usable from a site on another origin.
@Suite("Web SDK files")
struct WebSDKTests {
    static let sdkFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/PerchServer/SDK")

    struct Raw {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: [UInt8]
    }

    static func get(_ client: TestServer.Client, _ path: String, headers: HTTPFields = [:], method: HTTPRequest.Method = .get) async throws -> Raw {
        try await client.client.execute(uri: path, method: method, headers: headers, body: nil) { response in
            Raw(status: response.status, headers: response.headers, body: Array(buffer: response.body))
        }
    }

    /// A server that serves the example page too (`--sdk-example`).
    static func withExample() throws -> TestServer {
        var server = try TestServer()
        server.servesSDKExample = true
        return server
    }

    @Test func everySDKFileIsServedExactlyAsItIsInTheRepository() async throws {
        let names = ["perch.js", "perch-sw.js", "example.html", "example-sw.js"]
        #expect(Set(WebSDKAsset.all.map(\.path)) == Set(names.map { "/sdk/" + $0 }))
        try await Self.withExample().run { client in
            for name in names {
                let file = try [UInt8](Data(contentsOf: Self.sdkFolder.appendingPathComponent(name)))
                let answer = try await Self.get(client, "/sdk/" + name)
                #expect(answer.status == .ok, "\(name)")
                #expect(answer.body == file, "\(name): the served bytes differ from Sources/PerchServer/SDK/\(name)")
                let type = name.hasSuffix(".js") ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8"
                #expect(answer.headers[.contentType] == type, "\(name)")
                #expect(answer.headers[.xContentTypeOptions] == "nosniff")
                #expect(answer.headers[.eTag]?.hasPrefix("\"") == true)
            }
        }
    }

    @Test func theExamplePageIsServedOnlyWhenTheOperatorAsksForIt() async throws {
        try await TestServer().run { client in
            for path in ["/sdk/example.html", "/sdk/example-sw.js", "/sdk/perch.js", "/sdk/perch-sw.js"] {
                let status = try await Self.get(client, path).status
                #expect(status == (path.hasPrefix("/sdk/example") ? .notFound : .ok), "\(path) without --sdk-example")
            }
        }
        try await Self.withExample().run { client in
            for path in ["/sdk/example.html", "/sdk/example-sw.js"] {
                let status = try await Self.get(client, path).status
                #expect(status == .ok, "\(path) with --sdk-example")
            }
        }
    }

    @Test func theSDKIsCachedBrieflyAndRevalidatedByETag() async throws {
        try await Self.withExample().run { client in
            let first = try await Self.get(client, "/sdk/perch.js")
            #expect(first.headers[.cacheControl] == "public, max-age=300")
            let etag = try #require(first.headers[.eTag])
            var conditional = HTTPFields()
            conditional[.ifNoneMatch] = "\"other\", \(etag)"
            let again = try await Self.get(client, "/sdk/perch.js", headers: conditional)
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
            #expect(again.headers[.eTag] == etag)
            conditional[.ifNoneMatch] = "\"stale\""
            #expect(try await Self.get(client, "/sdk/perch.js", headers: conditional).status == .ok)
            // The example page and its worker are always revalidated.
            #expect(try await Self.get(client, "/sdk/example.html").headers[.cacheControl] == "no-cache")
            #expect(try await Self.get(client, "/sdk/example-sw.js").headers[.cacheControl] == "no-cache")
        }
    }

    @Test func aSiteOnAnotherOriginMayLoadTheSDKAndCallTheAPI() async throws {
        try await TestServer().run { client in
            var fromSite = HTTPFields()
            fromSite[.origin] = "https://shop.example"
            let module = try await Self.get(client, "/sdk/perch.js", headers: fromSite)
            #expect(module.headers[.accessControlAllowOrigin] == "*")
            #expect(module.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] == "cross-origin")

            var preflight = fromSite
            preflight[.accessControlRequestMethod] = "PUT"
            preflight[.accessControlRequestHeaders] = "authorization, content-type"
            let answer = try await Self.get(client, "/v1/installations/abc/consent", headers: preflight, method: .options)
            #expect(answer.status == .noContent)
            #expect(answer.headers[.accessControlAllowOrigin] == "*")
            let allowed = answer.headers[.accessControlAllowHeaders]?.lowercased() ?? ""
            #expect(allowed.contains("authorization") && allowed.contains("content-type"))
            #expect(answer.headers[.accessControlAllowMethods]?.contains("PUT") == true)

            // Error answers are readable by the page too, so the SDK can report Perch's message and field.
            var post = fromSite
            post[.contentType] = "application/json"
            let refused = try await client.client.execute(uri: "/v1/tokens", method: .post, headers: post, body: ByteBuffer(string: "{}")) { $0 }
            #expect(refused.status == .unauthorized)
            #expect(refused.headers[.accessControlAllowOrigin] == "*")
            #expect(refused.headers[.accessControlExposeHeaders]?.contains("x-request-id") == true)
        }
    }
}
