import Foundation
import PerchCore
import PostgresNIO

extension PostgresStore {
    /// Where the database is and how to reach it, read from a `postgres://` URL.
    public struct Configuration: Sendable {
        /// The pool's configuration, for postgres-nio.
        public var client: PostgresClient.Configuration
        /// The URL without its password, safe to log.
        public var displayURL: String

        /// Parses `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require&pool=N]`
        /// (also `postgresql://`). Without `sslmode`, loopback hosts connect in clear and other hosts
        /// require TLS. `pool` caps the connections this process opens (default 20).
        public init(url text: String) throws(PerchError) {
            guard Self.isPostgresURL(text), let components = URLComponents(string: text),
                  let host = components.host, !host.isEmpty
            else { throw PerchError(.invalidField, "the database URL is not postgres://user:password@host:port/database", field: "database") }
            let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
            let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
            let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            let database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
            let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
            let bareHost = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            let loopback = ["127.0.0.1", "::1", "localhost"].contains(bareHost) || bareHost.hasPrefix("127.")
            let tls: PostgresClient.Configuration.TLS
            switch query["sslmode"] ?? (loopback ? "disable" : "require") {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            default: throw PerchError(.invalidField, "sslmode must be disable, prefer or require", field: "database")
            }
            var client = PostgresClient.Configuration(host: bareHost, port: components.port ?? 5432, username: user,
                                                      password: password, database: database, tls: tls)
            if let pool = query["pool"] {
                guard let size = Int(pool), size >= 1 else { throw PerchError(.invalidField, "pool must be a positive number", field: "database") }
                client.options.maximumConnections = size
            }
            self.client = client
            var shown = components
            if shown.password != nil { shown.password = "***" }
            self.displayURL = shown.string ?? "postgres://\(bareHost)/\(database)"
        }

        /// Whether `text` names a PostgreSQL database.
        public static func isPostgresURL(_ text: String) -> Bool {
            text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
        }
    }
}
