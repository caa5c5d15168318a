import Foundation
import PerchTestSupport
import Testing
@testable import PerchDelivery

/// The notice a waiting `POST /v1/send` gets when its deliveries are recorded in this process.
@Suite("Recorded deliveries wake the sends that wait on them")
struct DeliveryOutcomesTests {
    @Test("a waiter wakes when its campaign's deliveries are recorded, not when another's are")
    func wakesOnItsCampaign() async throws {
        let outcomes = DeliveryOutcomes()
        let started = ContinuousClock.now
        let waiting = Task { await outcomes.wait(for: "snd_a", timeout: .seconds(30)); return ContinuousClock.now - started }
        try await eventually("the waiter is registered") { outcomes.waiting(for: "snd_a") == 1 }
        outcomes.recorded(campaignIds: ["snd_b"])
        #expect(outcomes.waiting(for: "snd_a") == 1, "another send's batch wakes nobody here")
        outcomes.recorded(campaignIds: ["snd_b", "snd_a"])
        let waited = await waiting.value
        #expect(waited < .seconds(10), "woken by the record, not the 30 s timeout: \(waited)")
        #expect(outcomes.waiting(for: "snd_a") == 0)
    }

    @Test("a waiter that hears nothing returns after its timeout, and a cancelled one at once; neither stays registered")
    func timesOutAndCancels() async throws {
        let outcomes = DeliveryOutcomes()
        let started = ContinuousClock.now
        await outcomes.wait(for: "snd_a", timeout: .milliseconds(50))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(outcomes.waiting(for: "snd_a") == 0, "a timed-out waiter is gone")

        let cancelled = Task { await outcomes.wait(for: "snd_c", timeout: .seconds(30)) }
        try await eventually("the waiter is registered") { outcomes.waiting(for: "snd_c") == 1 }
        cancelled.cancel()
        await cancelled.value
        #expect(outcomes.waiting(for: "snd_c") == 0)
    }
}
