import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PerchDelivery
import PerchStore

extension PerchMetrics {
    /// `GET /metrics`: the exposition with fresh samples of the store, as Prometheus scrapes it.
    public func response(sampling store: any OperationsStore) async -> Response {
        await sample(store, now: Date())
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: exposition())))
    }
}
