import Crypto
import Foundation

/// One file of the web SDK that Perch serves under `/sdk/`.
///
/// The files live beside this one (`perch.js`, `perch-sw.js`, `example.html`, `example-sw.js`) and are compiled
/// into the binary (`.embedInCode` in Package.swift), so a copied `perch` binary serves them without a resource bundle.
public struct WebSDKAsset: Sendable {
    /// The path it is served at, e.g. `/sdk/perch.js`.
    public let path: String
    /// The `Content-Type` answer header.
    public let contentType: String
    /// The `Cache-Control` answer header.
    public let cacheControl: String
    /// The file's bytes, exactly as in the repository.
    public let bytes: [UInt8]
    /// A strong `ETag`: the first 16 bytes of the content's SHA-256, quoted.
    public let etag: String

    init(name: String, contentType: String, cacheControl: String, bytes: [UInt8]) {
        self.path = "/sdk/" + name
        self.contentType = contentType
        self.cacheControl = cacheControl
        self.bytes = bytes
        self.etag = "\"" + SHA256.hash(data: bytes).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// JavaScript (RFC 9239) with a short shared cache life: the URLs carry no version, so browsers and CDNs
    /// revalidate with the `ETag` every five minutes and pick up a new SDK soon after an upgrade.
    static let javaScriptCaching = "public, max-age=300"

    /// The SDK module, the service worker script, and the working example page with its worker.
    public static let all: [WebSDKAsset] = [
        WebSDKAsset(name: "perch.js", contentType: "text/javascript; charset=utf-8", cacheControl: javaScriptCaching,
                    bytes: PackageResources.perch_js),
        WebSDKAsset(name: "perch-sw.js", contentType: "text/javascript; charset=utf-8", cacheControl: javaScriptCaching,
                    bytes: PackageResources.perch_sw_js),
        WebSDKAsset(name: "example-sw.js", contentType: "text/javascript; charset=utf-8", cacheControl: "no-cache",
                    bytes: PackageResources.example_sw_js),
        WebSDKAsset(name: "example.html", contentType: "text/html; charset=utf-8", cacheControl: "no-cache",
                    bytes: PackageResources.example_html),
    ]

    /// Whether this is the example page or its worker, served only with `--sdk-example`.
    public var isExample: Bool { path.hasPrefix("/sdk/example") }

    /// Whether an `If-None-Match` header names this version (a list, or `*`; weak validators compare equal).
    func isMatched(byIfNoneMatch header: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}
