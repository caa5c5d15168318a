import Foundation
import Testing
@testable import PerchCore

@Suite("Attribution: an event counts for a campaign only through a delivery")
struct EventAttributionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    func delivery(_ id: String, campaign: String = "cmp_a", installation: String = "i-alice-phone", user: String? = "alice",
                  daysAgo: Double = 1) -> EventAttribution.Delivery {
        .init(id: id, campaignId: campaign, installationId: installation, userId: user, createdAt: now - daysAgo * day)
    }

    func attribute(_ event: ClientEvent, user: String?, _ candidates: [EventAttribution.Delivery]) -> EventAttribution {
        EventAttribution.of(event, userId: user, candidates: candidates, window: { _ in 3 * day }, now: now)
    }

    func event(_ installation: String, campaign: String? = nil, delivery: String? = nil) -> ClientEvent {
        ClientEvent(type: .converted, installationId: installation, campaignId: campaign, deliveryId: delivery, value: 9.99, occurredAt: now)
    }

    @Test("a delivery to the event's own installation backs the campaign it names, whenever the event comes")
    func ownInstallation() {
        let old = delivery("dlv_1", daysAgo: 30)
        #expect(attribute(event("i-alice-phone", delivery: "dlv_1"), user: "alice", [old]) == .init(campaignId: "cmp_a", deliveryId: "dlv_1"))
        #expect(attribute(event("i-alice-phone", campaign: "cmp_a"), user: "alice", [old]) == .init(campaignId: "cmp_a", deliveryId: nil))
    }

    @Test("a delivery to another device of the same person backs it within the attribution window only")
    func samePerson() {
        let recent = delivery("dlv_1", daysAgo: 2), old = delivery("dlv_2", daysAgo: 4)
        #expect(attribute(event("i-alice-tablet", campaign: "cmp_a"), user: "alice", [recent]).campaignId == "cmp_a")
        #expect(attribute(event("i-alice-tablet", delivery: "dlv_1"), user: "alice", [recent]).campaignId == "cmp_a")
        #expect(attribute(event("i-alice-tablet", campaign: "cmp_a"), user: "alice", [old]) == .unattributed)
        #expect(attribute(event("i-anonymous", campaign: "cmp_a"), user: nil, [recent]) == .unattributed,
                "an anonymous installation is nobody's other device")
    }

    @Test("a claim no delivery backs is stored unattributed: forged revenue counts for nothing")
    func forgedClaims() {
        let alices = delivery("dlv_1")
        #expect(attribute(event("i-mallory", campaign: "cmp_a"), user: "mallory", [alices]) == .unattributed, "a campaign that never reached it")
        #expect(attribute(event("i-mallory", delivery: "dlv_1"), user: "mallory", [alices]) == .unattributed, "someone else's delivery")
        #expect(attribute(event("i-alice-phone", campaign: "cmp_b", delivery: "dlv_1"), user: "alice", [alices]) == .unattributed,
                "a delivery of another campaign than the one named")
        #expect(attribute(event("i-alice-phone", delivery: "dlv_unknown"), user: "alice", [alices]) == .unattributed)
        #expect(attribute(event("i-alice-phone"), user: "alice", [alices]) == .unattributed, "an event naming no campaign")
    }

    @Test("a batch's candidates, indexed once, attribute each event as the rule does over all of them")
    func batchCandidates() {
        let all = [delivery("dlv_1"), delivery("dlv_2", installation: "i-alice-tablet", daysAgo: 4),
                   delivery("dlv_3", campaign: "cmp_b", installation: "i-bob", user: "bob"), delivery("dlv_1")]
        let batch = EventAttribution.Candidates(all)
        let events = [event("i-alice-phone", delivery: "dlv_1"), event("i-alice-tablet", delivery: "dlv_1"),
                      event("i-alice-tablet", campaign: "cmp_a"), event("i-alice-phone", campaign: "cmp_b"),
                      event("i-bob", campaign: "cmp_b", delivery: "dlv_3"), event("i-bob", campaign: "cmp_a", delivery: "dlv_3"),
                      event("i-alice-phone", delivery: "dlv_unknown"), event("i-alice-phone")]
        for item in events {
            let user = item.installationId == "i-bob" ? "bob" : "alice"
            #expect(EventAttribution.of(item, userId: user, candidates: batch, window: { _ in 3 * day }, now: now) == attribute(item, user: user, all))
        }
        #expect(Set(batch.campaignIds) == ["cmp_a", "cmp_b"])
        #expect(batch.backing(event("i-alice-phone", delivery: "dlv_1")).count == 1, "a delivery found twice counts once")
    }
}
