import Crypto
import Foundation
import PerchCore

/// Everything `perch serve` can be told, with a default for each.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// `sqlite:perch.sqlite` (default) or a `postgres://` URL.
    public var databaseURL: String = "sqlite:perch.sqlite"
    /// The server-wide admin key; without one, `POST /v1/apps` is closed and apps are made with `perch apps create`.
    public var adminKey: String?
    /// 32 bytes as hex or base64; without one, a key file beside the database is used (created with mode 0600).
    public var masterKey: String?
    /// Signs dashboard session cookies; every process over one database needs the same (`perch serve` derives it from
    /// the master key with ``Dashboard/signingKey(masterKey:)``). Without one, a random key: sessions hold in one process.
    public var dashboardKey: SymmetricKey?
    public var hygiene = HygienePolicy()
    public var delivery = DeliveryConfiguration()

    public init() {}
}
