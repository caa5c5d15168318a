import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchCore

/// Encodes answers as JSON with ISO 8601 times and sorted keys.
package enum JSONResponse {
    package static let encoder = JSONCoding.encoder()

    package static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
