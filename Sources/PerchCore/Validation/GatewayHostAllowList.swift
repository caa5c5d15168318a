import Foundation

/// The hosts the operator lets apps send gateway traffic to beyond the real push services
/// (`perch serve|worker --allow-gateway-hosts HOST[:PORT],…`, `PERCH_ALLOW_GATEWAY_HOSTS`): a local push
/// simulator, a test peer, a private relay. A tenant's secret key cannot widen it; an app's
/// `allowedEndpointHosts` can only narrow it.
///
/// `HOST` allows any port on that host, `HOST:PORT` only that port. Hosts are exact (no wildcards: each one is a
/// place the operator vouches for) and compared case-insensitively; an IPv6 address is written in brackets when it
/// has a port (`[::1]:8443`).
public struct GatewayHostAllowList: Sendable, Hashable, CustomStringConvertible {
    /// One host the operator allows, on one port or any.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// Lower-cased, without brackets.
        public var host: String
        /// `nil`: any port.
        public var port: Int?

        public init(host: String, port: Int? = nil) {
            self.host = GatewayHostAllowList.normalized(host)
            self.port = port
        }

        public var description: String {
            let host = self.host.contains(":") ? "[\(self.host)]" : self.host
            return port.map { "\(host):\($0)" } ?? host
        }
    }

    public var entries: [Entry]

    /// No host beyond the real push services: the default.
    public static let none = GatewayHostAllowList(entries: [])

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses `HOST[:PORT],…` (spaces around entries ignored). A malformed entry is an error naming `setting`.
    public init(parsing text: String, setting: String = "PERCH_ALLOW_GATEWAY_HOSTS") throws(PerchError) {
        var entries: [Entry] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let entry = Self.entry(item) else {
                throw PerchError.invalid(setting, "\(setting): \"\(item)\" is not HOST or HOST:PORT (an IPv6 address with a port in brackets)")
            }
            entries.append(entry)
        }
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    public var description: String { entries.isEmpty ? "none" : entries.map(\.description).joined(separator: ",") }

    /// Whether the operator allows `host` on `port`.
    public func allows(host: String, port: Int) -> Bool {
        let host = Self.normalized(host)
        return entries.contains { $0.host == host && ($0.port == nil || $0.port == port) }
    }

    /// Whether the operator allows `host` on some port.
    public func allowsSomePort(of host: String) -> Bool {
        let host = Self.normalized(host)
        return entries.contains { $0.host == host }
    }

    /// Whether the operator allows the URL's host and port (443 when the URL names none).
    public func allows(_ url: URL) -> Bool {
        guard let host = url.host, !host.isEmpty else { return false }
        return allows(host: host, port: url.port ?? 443)
    }

    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    private static func entry(_ item: String) -> Entry? {
        var host = item
        var port: Int?
        if item.hasPrefix("[") {
            guard let close = item.firstIndex(of: "]") else { return nil }
            host = String(item[item.index(after: item.startIndex)..<close])
            let rest = item[item.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()) else { return nil }
                port = number
            }
            guard IPAddress(host) != nil else { return nil }
        } else if IPAddress(item).map({ if case .v6 = $0 { true } else { false } }) == true {
            host = item  // a bare IPv6 address: any port
        } else if let colon = item.lastIndex(of: ":") {
            host = String(item[..<colon])
            guard let number = Int(item[item.index(after: colon)...]) else { return nil }
            port = number
        }
        if let port, !(1...65_535).contains(port) { return nil }
        guard !host.isEmpty, host.utf8.count <= 253,
              IPAddress(host) != nil || host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { return nil }
        return Entry(host: host, port: port)
    }
}
