import HTTPTypes
import Hummingbird
import NIOCore

extension PerchAPI {
    /// `GET /sdk/perch.js`, `/sdk/perch-sw.js`, and the working example `/sdk/example.html` with its worker
    /// `/sdk/example-sw.js` when the operator asks for them (``servesSDKExample``: a page on the API's origin, and
    /// the dashboard's, is only for trying the SDK out). Public (no key), cacheable, revalidated by `ETag`, loadable
    /// from any origin.
    func addSDKRoutes(to router: Router<PerchRequestContext>) {
        for asset in WebSDKAsset.all where servesSDKExample || !asset.isExample {
            router.get(RouterPath(asset.path)) { request, _ in
                var headers = HTTPFields()
                headers[.contentType] = asset.contentType
                headers[.cacheControl] = asset.cacheControl
                headers[.eTag] = asset.etag
                headers[.xContentTypeOptions] = "nosniff"
                // A site on another origin imports the module (a CORS request) and its worker imports the script.
                headers[.accessControlAllowOrigin] = "*"
                headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] = "cross-origin"
                if let condition = request.headers[.ifNoneMatch], asset.isMatched(byIfNoneMatch: condition) {
                    return Response(status: .notModified, headers: headers)
                }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
            }
        }
    }
}
