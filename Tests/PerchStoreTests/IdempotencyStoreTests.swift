import Foundation
import PerchCore
import Testing
@testable import PerchStore

/// `Idempotency-Key` records: claimed once, answered, replayed, taken over after a day, forgotten.
@Suite struct IdempotencyStoreTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a key is claimed once; the same request sees it in progress, then its answer; another app has its own keys",
          arguments: StoreBackend.allCases)
    func claimAndReplay(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = try await store.createApp(name: "Idempotent", bundleId: nil, webOrigin: nil, now: start).app.id
        let other = try await store.createApp(name: "Other", bundleId: nil, webOrigin: nil, now: start).app.id

        #expect(try await store.claimIdempotencyKey(appId: app, key: "order-42", fingerprint: "f1", now: start) == nil, "claimed")
        let busy = try #require(try await store.claimIdempotencyKey(appId: app, key: "order-42", fingerprint: "f1", now: start.addingTimeInterval(1)))
        #expect(busy.decide(fingerprint: "f1", now: start.addingTimeInterval(1)) == .inProgress)
        #expect(busy.decide(fingerprint: "f2", now: start.addingTimeInterval(1)) == .reusedForAnotherRequest)
        #expect(try await store.claimIdempotencyKey(appId: other, key: "order-42", fingerprint: "f9", now: start) == nil, "keys are per app")

        let answer = IdempotencyRecord.Answer(status: 201, contentType: "application/json; charset=utf-8", body: #"{"id":"cmp_1"}"#)
        try await store.completeIdempotencyKey(appId: app, key: "order-42", fingerprint: "f1", answer: answer)
        let done = try #require(try await store.claimIdempotencyKey(appId: app, key: "order-42", fingerprint: "f1", now: start.addingTimeInterval(60)))
        #expect(done.decide(fingerprint: "f1", now: start.addingTimeInterval(60)) == .replay(answer))
        #expect(done.createdAt == start)

        // A day later the key no longer counts: the next request takes it over.
        #expect(try await store.claimIdempotencyKey(appId: app, key: "order-42", fingerprint: "f2", now: start.addingTimeInterval(86_400)) == nil)
        let taken = try #require(try await store.claimIdempotencyKey(appId: app, key: "order-42", fingerprint: "f2",
                                                                    now: start.addingTimeInterval(86_401)))
        #expect(taken.answer == nil && taken.fingerprint == "f2")
    }

    @Test("a released claim frees the key; an answered one is not released; hygiene forgets keys older than a day",
          arguments: StoreBackend.allCases)
    func releaseAndForget(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = try await store.createApp(name: "Idempotent", bundleId: nil, webOrigin: nil, now: start).app.id
        #expect(try await store.claimIdempotencyKey(appId: app, key: "a", fingerprint: "f", now: start) == nil)
        try await store.releaseIdempotencyKey(appId: app, key: "a", fingerprint: "f")
        #expect(try await store.claimIdempotencyKey(appId: app, key: "a", fingerprint: "g", now: start) == nil, "released: free again")
        try await store.completeIdempotencyKey(appId: app, key: "a", fingerprint: "g", answer: .init(status: 200, contentType: nil, body: "{}"))
        try await store.releaseIdempotencyKey(appId: app, key: "a", fingerprint: "g")
        #expect(try await store.claimIdempotencyKey(appId: app, key: "a", fingerprint: "g", now: start)?.answer?.status == 200)

        #expect(try await store.claimIdempotencyKey(appId: app, key: "b", fingerprint: "f", now: start.addingTimeInterval(3600)) == nil)
        #expect(try await store.forgetIdempotencyKeys(claimedBefore: start.addingTimeInterval(60)) == 1)
        #expect(try await store.claimIdempotencyKey(appId: app, key: "a", fingerprint: "other", now: start.addingTimeInterval(61)) == nil,
                "forgotten")
        #expect(try await store.claimIdempotencyKey(appId: app, key: "b", fingerprint: "other", now: start.addingTimeInterval(61)) != nil,
                "kept")
    }

    @Test("concurrent requests with one key: exactly one claims it", arguments: StoreBackend.allCases)
    func oneClaim(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let app = try await store.createApp(name: "Idempotent", bundleId: nil, webOrigin: nil, now: start).app.id
        let start = self.start
        let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask { try await store.claimIdempotencyKey(appId: app, key: "k", fingerprint: "f", now: start) == nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(claims == 1)
    }
}
