import NIOCore
import NIOHPACK
import Testing

@testable import PerchGateways

/// The header block a request goes out with: pseudo-headers first, names in lower case (HTTP/2 forbids upper case),
/// and a `content-length` that is the body's own.
@Suite("HTTP/2 request head")
struct HTTP2RequestTests {
    @Test("pseudo-headers first, the port in :authority unless 443, names lower-cased, content-length from the body")
    func head() throws {
        let origin = try #require(HTTP2Origin(url: "https://127.0.0.1:8443/base", caCertificatePEM: nil))
        let request = HTTP2Request(
            method: "POST", origin: origin, path: "/3/device/abc",
            headers: [("APNs-Topic", "com.example"), ("apns-push-type", "alert"), ("Content-Length", "999")],
            body: ByteBuffer(string: "{}"), deadline: .now())
        let names = request.headers.map(\.name)
        #expect(names == [":method", ":scheme", ":authority", ":path", "apns-topic", "apns-push-type", "content-length"])
        #expect(request.headers.first(name: ":authority") == "127.0.0.1:8443")
        #expect(request.headers.first(name: "content-length") == "2")
        #expect(request.body?.readableBytes == 2)
    }

    @Test("an empty body is no DATA frame and no content-length; port 443 and an IPv6 host are written as URLs write them")
    func emptyBody() throws {
        let origin = try #require(HTTP2Origin(url: "https://[::1]", caCertificatePEM: ""))
        #expect(origin.host == "::1" && origin.port == 443 && origin.caCertificatePEM == nil)
        let request = HTTP2Request(method: "POST", origin: origin, path: "/", headers: [], body: ByteBuffer(), deadline: .now())
        #expect(request.body == nil)
        #expect(request.headers.first(name: "content-length") == nil)
        #expect(request.headers.first(name: ":authority") == "[::1]")
    }

    @Test("only https URLs are origins")
    func httpsOnly() {
        #expect(HTTP2Origin(url: "http://127.0.0.1:80", caCertificatePEM: nil) == nil)
        #expect(HTTP2Origin(url: "not a url", caCertificatePEM: nil) == nil)
    }
}
