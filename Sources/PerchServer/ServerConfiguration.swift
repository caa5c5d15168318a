import Crypto
import Foundation
import PerchCore
import PerchDelivery

/// Everything `perch serve` can be told, with a default for each.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `sqlite:perch.sqlite` (default) or a `postgres://` URL.
    public var databaseURL: String = "sqlite:perch.sqlite"
    /// The server-wide admin key; without one, `POST /v1/apps` is closed and apps are made with `perch apps create`.
    /// At least ``minimumAdminKeyLength`` characters (``validateAdminKey(_:)``).
    public var adminKey: String?
    /// The address users and apps reach this server at (`PERCH_PUBLIC_URL`, e.g. `https://push.example.com`). When it is
    /// https, dashboard session cookies are `Secure` even if a proxy in front does not say the request came over TLS.
    public var publicURL: URL?
    /// 32 bytes as hex or base64; without one, a key file beside the database is used (created with mode 0600).
    public var masterKey: String?
    /// Signs dashboard session cookies; every process over one database needs the same (`perch serve` derives it from
    /// the master key with ``Dashboard/signingKey(masterKey:)``). Without one, a random key: sessions hold in one process.
    public var dashboardKey: SymmetricKey?
    /// Hosts beyond Apple's, Google's and the Web Push services that gateway settings and Web Push endpoints may
    /// name (`--allow-gateway-hosts`, `PERCH_ALLOW_GATEWAY_HOSTS`); none by default.
    public var allowedGatewayHosts: GatewayHostAllowList = .none
    /// The bearer token `GET /metrics` needs on the API's port (`PERCH_METRICS_TOKEN`); without one, metrics are
    /// served only on ``metricsPort``.
    public var metricsToken: String?
    /// A port of its own for `GET /metrics` and `GET /healthz` (`--metrics-port`, `PERCH_METRICS_PORT`).
    public var metricsPort: Int?
    /// Whether `/sdk/example.html` and `/sdk/example-sw.js` are served (`--sdk-example`, `PERCH_SDK_EXAMPLE=1`).
    public var servesSDKExample = false
    public var hygiene = HygienePolicy()
    public var delivery = DeliveryConfiguration()

    public init() {}

    /// The shortest admin key accepted: the admin key opens every app, and a short one can be guessed.
    public static let minimumAdminKeyLength = 32

    /// Refuses an admin key shorter than ``minimumAdminKeyLength``; `nil` or empty means no admin key.
    public static func validateAdminKey(_ key: String?) throws(PerchError) {
        guard let key, !key.isEmpty else { return }
        guard key.count >= minimumAdminKeyLength else {
            throw PerchError(.invalidField, "PERCH_ADMIN_KEY (--admin-key) is \(key.count) characters; use at least \(minimumAdminKeyLength) "
                             + "random characters, e.g. `openssl rand -hex 32`", field: "adminKey")
        }
    }
}
