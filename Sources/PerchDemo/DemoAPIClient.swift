import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PerchCore

/// The demo's calls to the server it runs in, over HTTP on loopback, as a customer's backend and
/// clients would make them: the secret key for segments and campaigns, the publishable key for events.
struct DemoAPIClient: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var method: String
        var path: String
        var status: Int
        var body: String
        var description: String { "\(method) \(path) answered \(status): \(body)" }
    }

    /// The server: `http://127.0.0.1:8080`, once it listens.
    let server: DemoServerAddress
    let secretKey: String
    let publishableKey: String

    /// Sends a JSON request and answers the JSON body; a non-2xx status throws ``Failure``.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, publishable: Bool = false, body: JSONValue? = nil) async throws -> JSONValue {
        guard let baseURL = server.url else { throw Failure(method: method.rawValue, path: path, status: 0, body: "the server is not listening yet") }
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer " + (publishable ? publishableKey : secretKey))
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.jsonText))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let text = String(buffer: try await response.body.collect(upTo: 16 << 20))
        guard (200..<300).contains(response.status.code) else {
            throw Failure(method: method.rawValue, path: path, status: Int(response.status.code), body: String(text.prefix(500)))
        }
        return JSONValue(jsonText: text) ?? .null
    }

    /// Waits until `GET /healthz` answers, for up to `timeout`.
    func waitUntilHealthy(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let baseURL = server.url,
               let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: baseURL + "/healthz"), timeout: .seconds(2)),
               response.status == .ok {
                return
            }
            guard ContinuousClock.now < deadline else { throw Failure(method: "GET", path: "/healthz", status: 0, body: "no answer") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

extension JSONValue {
    /// The member `key` of an object.
    func member(_ key: String) -> JSONValue? { objectValue?[key] }
}
