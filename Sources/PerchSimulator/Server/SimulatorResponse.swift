import Foundation

/// An HTTP answer from a simulated service.
struct SimulatorResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: Data

    init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer; `object` must be a JSON-serialisable dictionary or array.
    static func json(_ status: Int, _ object: Any, headers: [(name: String, value: String)] = []) -> SimulatorResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return SimulatorResponse(
            status: status, headers: [("content-type", "application/json; charset=UTF-8")] + headers, body: body)
    }

    /// A JSON answer from an `Encodable` value.
    static func encoded(_ status: Int, _ value: some Encodable) -> SimulatorResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return SimulatorResponse(status: status, headers: [("content-type", "application/json")], body: body)
    }
}
