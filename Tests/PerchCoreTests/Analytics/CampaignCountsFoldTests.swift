import Foundation
import Testing
import PerchCore

@Suite("Campaign counts: the fold of what the store counts")
struct CampaignCountsFoldTests {
    @Test("delivery rows: every row a token; queued, accepted, failed by reason (retired among them), left out by code")
    func deliveries() {
        var counts = CampaignCounts()
        for group: CampaignCounts.DeliveryGroup in [
            .init(state: "pending", outcome: nil, reason: nil, variant: 0, attempted: false, count: 4),
            .init(state: "retry", outcome: nil, reason: nil, variant: 0, attempted: true, count: 1),
            .init(state: "accepted", outcome: "accepted", reason: nil, variant: 0, attempted: true, count: 10),
            .init(state: "accepted", outcome: "accepted", reason: nil, variant: 1, attempted: true, count: 7),
            .init(state: "failed", outcome: "retired", reason: "unregistered", variant: 1, attempted: true, count: 2),
            .init(state: "failed", outcome: "failed", reason: "payload_too_large", variant: nil, attempted: true, count: 3),
            .init(state: "suppressed", outcome: "suppressed", reason: "holdout", variant: nil, attempted: false, count: 5),
            .init(state: "suppressed", outcome: "suppressed", reason: nil, variant: nil, attempted: false, count: 1),
        ] { counts.add(group) }
        #expect(counts.tokens == 33)
        #expect(counts.queued == 5)
        #expect(counts.attempted == 23)
        #expect(counts.accepted == 17)
        #expect(counts.retired == 2)
        #expect(counts.failedByReason == ["unregistered": 2, "payload_too_large": 3])
        #expect(counts.suppressedByReason == ["holdout": 5, "unknown": 1])
        #expect(counts.variants["0"]?.attempted == 11 && counts.variants["0"]?.accepted == 10)
        #expect(counts.variants["1"]?.attempted == 9 && counts.variants["1"]?.accepted == 7)
    }

    @Test("events: receipts, opens and conversions with their value, in total and per variant; others ignored")
    func events() {
        var counts = CampaignCounts()
        for group: CampaignCounts.EventGroup in [
            .init(type: "received", variant: 0, count: 8, value: 0),
            .init(type: "received", variant: nil, count: 1, value: 0),
            .init(type: "opened", variant: 1, count: 3, value: 0),
            .init(type: "converted", variant: 1, count: 2, value: 19.5),
            .init(type: "converted", variant: nil, count: 1, value: 5),
            .init(type: "prompt_shown", variant: 0, count: 40, value: 0),
        ] { counts.add(group) }
        #expect(counts.received == 9 && counts.opened == 3 && counts.converted == 3 && counts.revenue == 24.5)
        #expect(counts.variants["0"]?.received == 8)
        #expect(counts.variants["1"]?.opened == 3 && counts.variants["1"]?.converted == 2 && counts.variants["1"]?.revenue == 19.5)
    }

    @Test("lift: the held-out people and the treated people are separate groups")
    func lift() {
        var counts = CampaignCounts()
        counts.add(CampaignCounts.LiftGroup(heldOut: false, people: 90, converted: 9, revenue: 90))
        counts.add(CampaignCounts.LiftGroup(heldOut: true, people: 10, converted: 1, revenue: 5))
        #expect(counts.treatment.people == 90 && counts.treatment.converted == 9 && counts.treatment.revenue == 90)
        #expect(counts.holdout.people == 10 && counts.holdout.converted == 1 && counts.holdout.revenue == 5)
    }

    @Test("attribution: from the start to the window after completion, or after now while running; none before it starts")
    func attributionWindow() {
        let start = Date(timeIntervalSince1970: 1_800_000_000), now = start.addingTimeInterval(600), day: TimeInterval = 86_400
        #expect(CampaignCounts.attributionWindow(startedAt: nil, completedAt: nil, attribution: day, now: now) == nil)
        #expect(CampaignCounts.attributionWindow(startedAt: start, completedAt: nil, attribution: day, now: now)
                == start...now.addingTimeInterval(day))
        let completed = start.addingTimeInterval(60)
        #expect(CampaignCounts.attributionWindow(startedAt: start, completedAt: completed, attribution: day, now: now)
                == start...completed.addingTimeInterval(day))
    }

    @Test("the revocation window is seven days")
    func revocationWindow() {
        #expect(CampaignCounts.revocationWindow == 7 * 86_400)
    }
}
