import Foundation
import PerchCore
import PerchSQLite
import PerchStore
import PerchTestSupport

/// A fresh store on `backend`, kept open (PostgreSQL's pool) while the value lives.
struct OpenedTestStore {
    let store: any PerchStore
    let postgres: TestPostgres.Running?

    static func open(_ backend: TestBackend) async throws -> OpenedTestStore {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-worker-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let store = try SQLiteStore(path: folder.appendingPathComponent("perch.sqlite").path, vault: TestVault.vault)
            return OpenedTestStore(store: store, postgres: nil)
        case .postgres:
            let running = try await TestPostgres.fresh(vault: TestVault.vault)
            return OpenedTestStore(store: running.store, postgres: running)
        }
    }
}
