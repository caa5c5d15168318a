import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// Registrations that arrive together (PostgreSQL writes them in groups, SQLite through its one writer) end as if each
/// had been written alone.
@Suite("Registrations arriving together")
struct RegistrationBurstTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a burst of new, repeated and overlapping registrations: every answer matches the stored row, each consent is recorded once, the rollups stay true",
          arguments: StoreBackend.allCases)
    func burst(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "Burst", bundleId: "com.example.burst", webOrigin: nil, now: t0).app.id
        var known: [String: String] = [:]
        for k in 0..<20 {
            known["old-\(k)"] = try await store.register(appId: app, Sample.registration(Sample.apns(100 + k), installation: "old-\(k)"), now: t0).tokenId
        }
        // 40 new installations sharing three users; every known installation registered again with its token, ten of
        // them twice at once (the same installation and token in one burst).
        var burst: [(installation: String, registration: TokenRegistration, isNew: Bool)] = (0..<40).map { k in
            ("new-\(k)", Sample.registration(Sample.apns(300 + k), installation: "new-\(k)", user: "u\(k % 3)"), true)
        }
        burst += (0..<20).map { k in ("old-\(k)", Sample.registration(Sample.apns(100 + k), installation: "old-\(k)"), false) }
        burst += (0..<10).map { k in ("old-\(k)", Sample.registration(Sample.apns(100 + k), installation: "old-\(k)"), false) }
        let results = try await withThrowingTaskGroup(of: (Int, RegistrationResult).self) { group in
            for (position, entry) in burst.enumerated() {
                group.addTask { (position, try await store.register(appId: app, entry.registration, now: self.t0 + 60)) }
            }
            return try await group.reduce(into: [Int: RegistrationResult]()) { $0[$1.0] = $1.1 }
        }

        for (position, entry) in burst.enumerated() {
            let result = try #require(results[position])
            let stored = try #require(try await store.installation(appId: app, installationId: entry.installation))
            #expect(result.created == entry.isNew && stored.tokenId == result.tokenId && result.status == .active)
            if !entry.isNew { #expect(result.tokenId == known[entry.installation]) }
            #expect(try await store.consentHistory(appId: app, installationId: entry.installation).count == 1)
        }
        for k in 0..<3 {
            let export = try #require(try await store.exportUser(appId: app, userId: "u\(k)"))
            #expect(export.log.filter { $0.kind == "user_bound" }.count == (0..<40).filter { $0 % 3 == k }.count)
        }
        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.total == 60)
        let verification = try await store.verifyRollups(repair: false)
        #expect(verification.differences.isEmpty && verification.groupsChecked > 0)
    }
}
