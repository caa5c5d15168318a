import NIOHPACK
import NIOHTTP1

/// Request and answer header blocks as the real push services read and write them over HTTP/2.
enum SimulatorHTTP2Headers {
    /// Headers that belong to an HTTP/1.1 connection and are malformed in HTTP/2 (RFC 9113 §8.2.2).
    static let connectionHeaders: Set<String> = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]

    /// The request as the simulator reads it, or nil for a request no HTTP/2 server may accept: without `:method`,
    /// `:path` or `:scheme`, or naming its host in neither `:authority` nor `host`.
    static func requestHead(_ headers: HPACKHeaders) -> HTTPRequestHead? {
        var method: String?, path: String?, scheme: String?, authority: String?
        var regular = HTTPHeaders()
        for (name, value, _) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":scheme": scheme = value
            case ":authority": authority = value
            default:
                if name.hasPrefix(":") { return nil }
                regular.add(name: name, value: value)
            }
        }
        guard let method, let path, scheme != nil, !path.isEmpty else { return nil }
        if let authority {
            if !regular.contains(name: "host") { regular.add(name: "host", value: authority) }
        } else if !regular.contains(name: "host") {
            return nil
        }
        return HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: path, headers: regular)
    }

    /// An answer's HEADERS block: `:status`, its headers in lower case without HTTP/1.1's connection headers, and a
    /// `content-length` when it has a body (an answer without one — APNs' 200 — gives none).
    static func responseHeaders(_ response: SimulatorResponse) -> HPACKHeaders {
        var headers = HPACKHeaders()
        headers.add(name: ":status", value: String(response.status))
        for (name, value) in response.headers {
            let name = name.lowercased()
            if !connectionHeaders.contains(name) && name != "content-length" { headers.add(name: name, value: value) }
        }
        if !response.body.isEmpty { headers.add(name: "content-length", value: String(response.body.count)) }
        return headers
    }
}
