import Crypto
import Foundation
import Logging
import PerchCore
@testable import PerchStore

/// The backends the conformance suite runs against. Each case opens a fresh, real
/// database: a SQLite file in a temporary folder (the PostgreSQL backend joins here).
enum StoreBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite

    var description: String { rawValue }

    static let masterKey = SymmetricKey(data: Data(repeating: 0x42, count: 32))

    /// A fresh store and the files that hold its data (for tests that read them raw).
    func open() throws -> OpenedStore {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("perch.sqlite").path
            let store = try SQLiteStore(path: path, vault: TokenVault(masterKey: Self.masterKey))
            return OpenedStore(store: store, files: [path, path + "-wal"], folder: folder, sqlite: store)
        }
    }
}

struct OpenedStore: Sendable {
    let store: any PerchStore
    let files: [String]
    let folder: URL
    let sqlite: SQLiteStore?

    /// Every byte the backend has on disk.
    func rawBytes() throws -> Data {
        try sqlite?.checkpoint()
        var bytes = Data()
        for file in files where FileManager.default.fileExists(atPath: file) {
            bytes.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        }
        return bytes
    }
}

/// Sample destinations.
enum Sample {
    static func apnsToken(_ seed: Int) -> String {
        "c0ffee42" + String(format: "%056x", seed)
    }
    static func apns(_ seed: Int, environment: APNsEnvironment = .production) -> PushDestination {
        .apns(token: apnsToken(seed), environment: environment)
    }
    static func fcm(_ seed: Int) -> PushDestination {
        .fcm(token: "fcmInstance\(seed):APA91b" + String(repeating: "Zq-_9x", count: 24))
    }
    static func webpush(_ seed: Int) -> PushDestination {
        .webpush(WebPushSubscription(endpoint: URL(string: "https://push.example.com/wpush/v2/sub-\(seed)")!,
                                     p256dh: P256.KeyAgreement.PrivateKey().publicKey.x963Representation,
                                     auth: Data(repeating: UInt8(seed & 0xFF), count: 16)))
    }
    static func registration(_ destination: PushDestination, installation: String, user: String? = nil, previous: String? = nil,
                             consent: ConsentStatus? = .granted, appVersion: String? = "1.0.0") -> TokenRegistration {
        TokenRegistration(installationId: installation, destination: destination, userId: user, previousToken: previous,
                          appVersion: appVersion, timezone: "Europe/Berlin", consent: consent)
    }
}
