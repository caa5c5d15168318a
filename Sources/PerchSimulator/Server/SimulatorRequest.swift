import Foundation
import NIOCore
import NIOHTTP1

/// A complete HTTP request as the simulated services see it, independent of HTTP/1.1 or HTTP/2.
struct SimulatorRequest: Sendable {
    var method: String
    /// The path without the query string.
    var path: String
    var query: [String: String]
    /// Header fields in arrival order, names lower-cased.
    var headers: [(name: String, value: String)]
    var body: Data

    init(method: String, uri: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts[0])
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(kv[0]).removingPercentEncoding ?? String(kv[0])
                let value = kv.count == 2 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
                query[key] = value
            }
        }
        self.query = query
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.body = body
    }

    /// A request as it arrived over either HTTP version: its head and the body gathered for it.
    init(_ head: HTTPRequestHead, body: ByteBuffer?) {
        self.init(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { (name: $0.name, value: $0.value) },
                  body: body.map { Data($0.readableBytesView) } ?? Data())
    }

    /// The first value of a header; `nil` when absent.
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Every header but `authorization` (never recorded), joined per name.
    var recordableHeaders: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in headers where name != "authorization" && !name.hasPrefix(":") {
            result[name] = result[name].map { "\($0), \(value)" } ?? value
        }
        return result
    }
}
