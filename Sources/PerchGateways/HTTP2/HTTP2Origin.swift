import Foundation

/// Where a gateway's requests go: an `https` host and port, and the certificate authority trusted there (nil for
/// the system's roots). Requests to one origin share its connections.
struct HTTP2Origin: Hashable, Sendable {
    var host: String
    var port: Int
    var caCertificatePEM: String?

    /// The `:authority` pseudo-header: the host, with the port when it is not 443.
    var authority: String {
        let host = self.host.contains(":") ? "[" + self.host + "]" : self.host
        return port == 443 ? host : host + ":" + String(port)
    }

    /// The origin of an `https://host[:port][/path]` URL, or nil for anything else.
    init?(url: String, caCertificatePEM: String?) {
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https",
              let host = components.host, !host.isEmpty
        else { return nil }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 443
        self.caCertificatePEM = caCertificatePEM.flatMap { $0.isEmpty ? nil : $0 }
    }
}
