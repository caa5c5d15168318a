import Foundation
import Testing
import PerchCore

@Suite("Campaign status transitions")
struct CampaignTransitionTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("sending a draft due now runs it, started now, its start time as asked")
    func startNow() throws {
        let asked = Self.now.addingTimeInterval(-5)
        #expect(try CampaignTransition.start(from: .draft, triggered: false, startAt: asked, now: Self.now)
                == CampaignTransition(status: .running, startAt: asked, startedAt: Self.now, updatedAt: Self.now))
    }

    @Test("sending a draft for later schedules it, not started")
    func startLater() throws {
        let later = Self.now.addingTimeInterval(3_600)
        #expect(try CampaignTransition.start(from: .draft, triggered: false, startAt: later, now: Self.now)
                == CampaignTransition(status: .scheduled, startAt: later, updatedAt: Self.now))
    }

    @Test("a triggered campaign runs at once, resolved (it has no audience to resolve), whatever start time was asked")
    func startTriggered() throws {
        #expect(try CampaignTransition.start(from: .draft, triggered: true, startAt: Self.now.addingTimeInterval(3_600), now: Self.now)
                == CampaignTransition(status: .running, startAt: Self.now, startedAt: Self.now, resolvedAt: Self.now, updatedAt: Self.now))
    }

    @Test("only a draft can be sent: anything else is a conflict naming the status",
          arguments: [CampaignStatus.scheduled, .running, .completed, .cancelled])
    func startRefused(status: CampaignStatus) {
        let error = #expect(throws: PerchError.self) {
            try CampaignTransition.start(from: status, triggered: false, startAt: Self.now, now: Self.now)
        }
        #expect(error?.code == .conflict && error?.field == "status")
    }

    @Test("cancelling withdraws the campaign's queued work", arguments: [CampaignStatus.draft, .scheduled, .running])
    func cancel(status: CampaignStatus) throws {
        #expect(try CampaignTransition.cancel(from: status, now: Self.now)
                == CampaignTransition(status: .cancelled, cancelledAt: Self.now, updatedAt: Self.now, withdrawsQueuedWork: true))
    }

    @Test("a finished campaign cannot be cancelled", arguments: [CampaignStatus.completed, .cancelled])
    func cancelRefused(status: CampaignStatus) {
        #expect(throws: PerchError.self) { try CampaignTransition.cancel(from: status, now: Self.now) }
    }

    @Test("the scheduler taking up a due campaign runs it, started now")
    func due() {
        #expect(CampaignTransition.due(now: Self.now) == CampaignTransition(status: .running, startedAt: Self.now, updatedAt: Self.now))
    }

    @Test("completion stamps the time")
    func completion() {
        #expect(CampaignTransition.completion(now: Self.now) == CampaignTransition(status: .completed, completedAt: Self.now, updatedAt: Self.now))
    }
}
