import NIOCore
import NIOHPACK

/// One request as the connection writes it: the header block (pseudo-headers first), the body, and the
/// moment after which its answer is no longer awaited.
struct HTTP2Request: Sendable {
    var headers: HPACKHeaders
    var body: ByteBuffer?
    var deadline: NIODeadline

    /// A request to `origin`: names are lower-cased (HTTP/2 forbids upper case) and `content-length` is set.
    init(method: String, origin: HTTP2Origin, path: String, headers: [(String, String)], body: ByteBuffer?, deadline: NIODeadline) {
        var block = HPACKHeaders()
        block.reserveCapacity(headers.count + 5)
        block.add(name: ":method", value: method)
        block.add(name: ":scheme", value: "https")
        block.add(name: ":authority", value: origin.authority)
        block.add(name: ":path", value: path)
        for (name, value) in headers {
            // The gateways' clients already write lower case; only a name that is not pays for the copy.
            let name = name.utf8.contains(where: { (65...90).contains($0) }) ? name.lowercased() : name
            if name != "content-length" { block.add(name: name, value: value) }
        }
        let body = body.flatMap { $0.readableBytes > 0 ? $0 : nil }
        if let body { block.add(name: "content-length", value: String(body.readableBytes)) }
        self.headers = block
        self.body = body
        self.deadline = deadline
    }
}
