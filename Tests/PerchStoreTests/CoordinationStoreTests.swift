import Foundation
import PerchCore
import Testing
@testable import PerchStore

/// Leases and send windows: what several processes over one database agree on.
@Suite struct CoordinationStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a lease has one holder until it runs out; its holder renews it and may give it up", arguments: StoreBackend.allCases)
    func leases(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        #expect(try await store.acquireLease("job", holder: "a", for: .seconds(10), now: start))
        #expect(try await !store.acquireLease("job", holder: "b", for: .seconds(10), now: start.addingTimeInterval(9)), "a holds it")
        #expect(try await store.acquireLease("job", holder: "a", for: .seconds(10), now: start.addingTimeInterval(9)), "a renews it to 19 s")
        #expect(try await !store.acquireLease("job", holder: "b", for: .seconds(10), now: start.addingTimeInterval(18)))
        #expect(try await store.acquireLease("other", holder: "b", for: .seconds(10), now: start), "leases are independent by name")
        #expect(try await store.acquireLease("job", holder: "b", for: .seconds(10), now: start.addingTimeInterval(19)), "it ran out: b takes over")
        try await store.releaseLease("job", holder: "a")
        #expect(try await !store.acquireLease("job", holder: "a", for: .seconds(10), now: start.addingTimeInterval(20)), "only the holder releases")
        try await store.releaseLease("job", holder: "b")
        #expect(try await store.acquireLease("job", holder: "a", for: .seconds(10), now: start.addingTimeInterval(20)), "released: free at once")
    }

    @Test("concurrent holders race for a free lease and exactly one wins", arguments: StoreBackend.allCases)
    func oneWinner(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let start = self.start
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for holder in 0..<12 {
                group.addTask { try await store.acquireLease("scheduler", holder: "p\(holder)", for: .seconds(15), now: start) }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 1)
    }

    @Test("send windows grant at most the limit per second across concurrent reservations", arguments: StoreBackend.allCases)
    func sendWindows(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let second = start.addingTimeInterval(0.2)
        let granted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask { try await store.reserveSends(appId: "app", platform: .apns, wanted: 7, perSecond: 50, now: second) }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(granted.reduce(0, +) == 50, "20 × 7 asked, 50 allowed: \(granted)")
        #expect(granted.allSatisfy { (0...7).contains($0) })
        #expect(try await store.reserveSends(appId: "app", platform: .apns, wanted: 5, perSecond: 50, now: second.addingTimeInterval(0.7)) == 0,
                "the second is used up")
        #expect(try await store.reserveSends(appId: "app", platform: .fcm, wanted: 5, perSecond: 50, now: second) == 5, "per gateway")
        #expect(try await store.reserveSends(appId: "other", platform: .apns, wanted: 5, perSecond: 50, now: second) == 5, "per app")
        #expect(try await store.reserveSends(appId: "app", platform: .apns, wanted: 60, perSecond: 50, now: second.addingTimeInterval(1)) == 50,
                "the next second starts afresh, and one reservation never exceeds the limit")
    }
}
