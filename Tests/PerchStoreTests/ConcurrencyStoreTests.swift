import Foundation
import Testing
import PerchCore
@testable import PerchStore

@Suite("Concurrent writes")
struct ConcurrencyStoreTests {
    @Test("concurrent registrations are each stored once and answered after commit", arguments: StoreBackend.allCases)
    func concurrentRegistrations(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "c", bundleId: nil, webOrigin: nil, now: Date()).app.id
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let results = try await withThrowingTaskGroup(of: RegistrationResult.self) { group in
            for index in 0..<400 {
                group.addTask {
                    // every 4th registration repeats one shared token under one installation
                    let destination = index % 4 == 0 ? Sample.apns(999_999) : Sample.apns(index)
                    let installation = index % 4 == 0 ? "shared" : "inst-\(index)"
                    return try await store.register(appId: app, Sample.registration(destination, installation: installation), now: now)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 400)
        let shared = results.filter { $0.installationId == "shared" }
        #expect(Set(shared.map(\.tokenId)).count == 1 && shared.filter(\.created).count == 1)
        let health = try await store.tokenHealth(appId: app, filter: .init())
        #expect(health.total == 301 && health.active == 301)
        for result in results.prefix(20) {
            #expect(try await store.installation(appId: app, installationId: result.installationId)?.tokenId == result.tokenId)
        }
    }
}
