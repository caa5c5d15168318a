import Foundation
import Testing
import PerchCore
@testable import PerchStore

extension RollupPropertyTests {
    @Test("batches retiring tokens while the same tokens register again neither fail nor stall, and every rollup stays true",
          arguments: StoreBackend.allCases)
    func retirementsBesideRegistrations(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        var world = try await World(opened: opened, t0: t0)
        for _ in 0..<60 { try await world.register(user: nil) }
        var random = SeededGenerator(seed: 11)
        try await world.startCampaign(using: &random)
        let store = opened.store
        var batches: [[ClaimedDelivery]] = []
        for _ in 0..<4 { batches.append(try await store.claimDeliveries(limit: 15, leaseFor: .seconds(60), now: world.now)) }
        let (app, now) = (world.app, world.now + 5)
        let gone = DeliveryFailureReason(platform: .apns, status: 410, code: "Unregistered")
        let everyToken = batches.joined().map { TokenRetirement(appId: app, tokenId: $0.tokenId, deliveryId: $0.id, reason: "Unregistered", at: now,
                                                               unlessSeenAfter: nil) }
        let recorded = try await withThrowingTaskGroup(of: [DeliveryUpdate].self) { group in
            for (index, claimed) in batches.enumerated() {
                group.addTask {
                    var batch = DeliveryBatch()
                    for delivery in claimed {
                        batch.add([.record(.failed(reason: "Unregistered"), outcome: .retired, reason: gone),
                                   .retire(reason: "Unregistered", at: now, unlessSeenAfter: nil)], of: delivery, locale: nil)
                    }
                    // Every batch also retires every other batch's tokens, each in another order (the same verdicts heard by
                    // several workers): only the store's lock order keeps the transactions from waiting on each other in a cycle.
                    batch.retirements += index % 2 == 0 ? everyToken : everyToken.reversed()
                    return try await store.recordDeliveries(batch, now: now)
                }
            }
            for round in 0..<2 {
                group.addTask {
                    for index in round == 0 ? Array(0..<60) : (0..<60).reversed() {
                        _ = try await store.register(appId: app, Sample.registration(Sample.apns(index), installation: "i\(index)"), now: now + 1)
                    }
                    return []
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let claimed = batches.map(\.count).reduce(0, +)
        #expect(claimed > 0 && recorded.count == claimed)
        #expect(recorded.allSatisfy { $0.outcome == .retired || $0.outcome == .kept })
        let counts = try await store.campaignCounts(appId: app, campaignId: world.campaigns[0].id, now: now + 2)
        #expect(counts.retired == recorded.filter { $0.outcome == .retired }.count, "\(counts)")
        _ = try await world.expectRollupsTrue("after retirements beside registrations")
    }
}
