import HTTPTypes
import Hummingbird
import PerchCore

/// Who may read `GET /metrics`. The exposition names every app and the delivery volume of each, so it is not
/// public: on the API's listener it needs `Authorization: Bearer <PERCH_METRICS_TOKEN>`, and without a token it is
/// served only on a listener of its own (`--metrics-port`), which the operator keeps off the internet. There the
/// token is required too when one is set.
public struct MetricsAccess: Sendable {
    /// `PERCH_METRICS_TOKEN`.
    public var token: String?
    /// Whether this listener serves metrics when no token is set (the metrics port: yes; the API's: no).
    public var openWithoutToken: Bool

    public init(token: String?, openWithoutToken: Bool) {
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.openWithoutToken = openWithoutToken
    }

    /// Throws the answer for a request that may not read the metrics.
    public func check(_ headers: HTTPFields) throws(PerchError) {
        guard let token else {
            if openWithoutToken { return }
            throw PerchError(.notFound, "GET /metrics is served with PERCH_METRICS_TOKEN (bearer) or on --metrics-port")
        }
        let header = headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer "),
              APIKey.constantTimeEquals(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), token)
        else {
            throw PerchError(.unauthorized, "GET /metrics needs Authorization: Bearer <PERCH_METRICS_TOKEN>")
        }
    }
}
