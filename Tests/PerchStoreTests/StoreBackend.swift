import Crypto
import Foundation
import Logging
import PerchCore
import PerchTestSupport
import Testing
@testable import PerchSQLite
@testable import PerchStore

/// The backends the conformance suite runs against. Each case opens a fresh, real
/// database: a SQLite file in a temporary folder, or a new database on the PostgreSQL
/// server that `scripts/test` starts (`PERCH_TEST_POSTGRES_URL`). Without that server the
/// PostgreSQL cases fail; they are never skipped.
enum StoreBackend: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    var description: String { rawValue }

    /// A fresh store and what holds its data (for tests that read it raw).
    func open() async throws -> OpenedStore {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("perch.sqlite").path
            let store = try SQLiteStore(path: path, vault: TestVault.vault)
            return OpenedStore(store: store, files: [path, path + "-wal"], folder: folder, sqlite: store, postgres: nil)
        case .postgres:
            let running = try await TestPostgres.fresh(vault: TestVault.vault)
            return OpenedStore(store: running.store, files: [], folder: FileManager.default.temporaryDirectory, sqlite: nil, postgres: running)
        }
    }

    /// Opens the same data again in a new store instance, as after a restart.
    func reopen(_ opened: OpenedStore) async throws -> OpenedStore {
        switch self {
        case .sqlite:
            let path = opened.files[0]
            let store = try SQLiteStore(path: path, vault: TestVault.vault)
            return OpenedStore(store: store, files: opened.files, folder: opened.folder, sqlite: store, postgres: nil)
        case .postgres:
            let database = try #require(opened.postgres?.database)
            let running = try await TestPostgres.open(database: database, vault: TestVault.vault)
            try await running.store.migrate()
            return OpenedStore(store: running.store, files: [], folder: opened.folder, sqlite: nil, postgres: running)
        }
    }

    /// Whether erased rows are gone from the bytes at rest once the erasure returns. SQLite runs
    /// with `secure_delete` and checkpoints after an erasure. PostgreSQL keeps a deleted row's bytes
    /// in its heap page until VACUUM reuses the space, and in the WAL until the segment is recycled,
    /// so at-rest erasure there is the operator's (autovacuum, encrypted storage); the logical
    /// erasure is checked on both backends.
    var overwritesErasedRows: Bool { self == .sqlite }
}

struct OpenedStore: Sendable {
    let store: any PerchStore
    let files: [String]
    let folder: URL
    let sqlite: SQLiteStore?
    let postgres: TestPostgres.Running?

    /// Every byte the backend has on disk: the SQLite file and its WAL, or the PostgreSQL
    /// database's relation files and the server's WAL after a checkpoint.
    func rawBytes() async throws -> Data {
        if let postgres { return try await postgres.rawBytes() }
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
    /// A campaign created and started at `at` in `app`, and its plan for the tokens its audience filter selects then, in
    /// installation order.
    static func startedCampaign(_ definition: CampaignDefinition, app: String, on store: some PerchStore,
                                at: Date) async throws -> (campaign: CampaignRecord, planned: [CampaignPlanner.Planned]) {
        let campaign = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: at)
        _ = try await store.startCampaign(appId: app, id: campaign.id, startAt: at, now: at)
        let filter = try AudienceFilter.parse(try #require(definition.audience.filter))
        let candidates = try await store.candidates(appId: app, audience: .filter(filter), now: at).sorted { $0.installationId < $1.installationId }
        return (campaign, CampaignPlanner(campaignId: campaign.id, definition: definition).plan(candidates, history: .init(), start: at))
    }
}
