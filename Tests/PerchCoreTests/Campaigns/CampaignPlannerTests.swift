import Foundation
import Testing
@testable import PerchCore

@Suite("Campaign planning: targeting per person, sending per token")
struct CampaignPlannerTests {
    /// 2027-01-15 08:00:00 UTC.
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let message = PushMessage(title: "Hi", body: "Sale")

    func token(_ id: String, user: String?, installation: String? = nil, platform: Platform = .apns, status: TokenStatus = .active,
               consent: ConsentStatus? = .granted, timezone: String? = "UTC", seenHoursAgo: Double = 1) -> CampaignPlanner.Candidate {
        .init(tokenId: id, installationId: installation ?? "i-\(id)", userId: user, platform: platform, status: status, consent: consent,
              timezone: timezone, lastSeenAt: start.addingTimeInterval(-seenHoursAgo * 3600))
    }

    func definition(_ change: (inout CampaignDefinition) -> Void = { _ in }) -> CampaignDefinition {
        var definition = CampaignDefinition(name: "test", audience: .init(filter: "known"), message: message)
        change(&definition)
        return definition
    }

    func reasons(_ planned: [CampaignPlanner.Planned]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: planned.map { entry in
            switch entry.decision {
            case .send: (entry.candidate.tokenId, "send")
            case .exclude(let reason): (entry.candidate.tokenId, reason.code)
            }
        })
    }

    @Test func everyCandidateGetsExactlyOneDecisionWithAReason() {
        let candidates = [
            token("ok", user: "u1"), token("dead", user: "u2", status: .invalid(reason: "Unregistered", at: start)),
            token("denied", user: "u3", consent: .denied), token("unknown-consent", user: "u4", consent: nil),
            token("stale", user: "u5", status: .stale), token("expired", user: "u6", status: .expired),
        ]
        let planned = CampaignPlanner(campaignId: "c", definition: definition()).plan(candidates, history: .init(), start: start)
        #expect(planned.map(\.candidate.tokenId) == candidates.map(\.tokenId))
        #expect(reasons(planned) == ["ok": "send", "dead": "token_invalid", "denied": "consent_denied", "unknown-consent": "consent_unknown",
                                     "stale": "send", "expired": "token_expired"])
        let strict = CampaignPlanner(campaignId: "c", definition: definition { $0.includeStale = false }).plan(candidates, history: .init(), start: start)
        #expect(reasons(strict)["stale"] == "token_stale")
    }

    @Test func holdoutAndVariantsAreDrawnPerPersonAndAgreeOnReruns() {
        let candidates = (0..<2000).flatMap { user in
            [token("a\(user)", user: "u\(user)", platform: .apns), token("b\(user)", user: "u\(user)", platform: .webpush)]
        }
        let planner = CampaignPlanner(campaignId: "spring", definition: definition {
            $0.holdoutPercent = 10
            $0.variants = [.init(name: "A", weight: 1), .init(name: "B", weight: 3)]
        })
        let planned = planner.plan(candidates, history: .init(), start: start)
        #expect(planned == planner.plan(candidates, history: .init(), start: start), "deterministic")
        var heldOut = 0, variantB = 0, sent = 0
        for pair in stride(from: 0, to: planned.count, by: 2) {
            let (first, second) = (planned[pair], planned[pair + 1])
            #expect(first.decision == .exclude(.holdout) ? second.decision == .exclude(.holdout) : second.decision != .exclude(.holdout),
                    "both devices of a person are in or out together")
            #expect(first.variant == second.variant, "a person sees one variant on every device")
            if first.decision == .exclude(.holdout) { heldOut += 1 } else { sent += 1; if first.variant == 1 { variantB += 1 } }
        }
        #expect((150...250).contains(heldOut), "about 10% of 2000 people held out, got \(heldOut)")
        #expect(abs(Double(variantB) / Double(sent) - 0.75) < 0.05, "weights 1:3")
        #expect(planned.filter { $0.decision == .exclude(.holdout) }.allSatisfy { $0.variant == nil })
    }

    @Test func anonymousInstallationsAreTheirOwnPerson() {
        let planner = CampaignPlanner(campaignId: "c", definition: definition { $0.holdoutPercent = 50 })
        let anonymous = (0..<400).map { token("t\($0)", user: nil) }
        let planned = planner.plan(anonymous, history: .init(), start: start)
        let held = planned.filter { $0.decision == .exclude(.holdout) }.count
        #expect((150...250).contains(held))
        #expect(anonymous.map(\.person).allSatisfy { $0.hasPrefix("installation:") })
    }

    @Test func devicePolicyPicksAmongAPersonsEligibleTokensOnly() {
        let candidates = [
            token("phone-old", user: "ann", platform: .apns, seenHoursAgo: 48),
            token("phone-new", user: "ann", platform: .apns, seenHoursAgo: 2),
            token("browser-1", user: "ann", platform: .webpush, seenHoursAgo: 5),
            token("browser-newest-denied", user: "ann", platform: .webpush, consent: .denied, seenHoursAgo: 0.1),
            token("anon-1", user: nil), token("anon-2", user: nil),
        ]
        let latest = CampaignPlanner(campaignId: "c", definition: definition { $0.devicePolicy = .latest }).plan(candidates, history: .init(), start: start)
        #expect(reasons(latest) == ["phone-old": "device_policy", "phone-new": "send", "browser-1": "device_policy",
                                    "browser-newest-denied": "consent_denied", "anon-1": "send", "anon-2": "send"])
        let perPlatform = CampaignPlanner(campaignId: "c", definition: definition { $0.devicePolicy = .latestPerPlatform })
            .plan(candidates, history: .init(), start: start)
        #expect(reasons(perPlatform)["phone-new"] == "send" && reasons(perPlatform)["browser-1"] == "send")
        #expect(reasons(perPlatform)["phone-old"] == "device_policy")
        let all = CampaignPlanner(campaignId: "c", definition: definition()).plan(candidates, history: .init(), start: start)
        #expect(all.filter { $0.decision != .exclude(.noConsent(.denied)) }.allSatisfy { if case .send = $0.decision { true } else { false } })
    }

    @Test func capsCountMessagesPerPersonAcrossDevices() {
        let daily = FrequencyCap(limit: 2, window: .seconds(86_400))
        let history = CampaignPlanner.History(sendsByPerson: [
            "user:busy": [start - 3600, start - 7200],
            "user:calm": [start - 3600],
            "installation:i-anon-busy": [start - 60, start - 120],
        ])
        let candidates = [token("busy-phone", user: "busy"), token("busy-browser", user: "busy", platform: .webpush),
                          token("calm-phone", user: "calm"), token("anon-busy", user: nil), token("anon-calm", user: nil)]
        let planned = CampaignPlanner(campaignId: "c", definition: definition { $0.frequencyCap = [daily] }).plan(candidates, history: history, start: start)
        #expect(reasons(planned) == ["busy-phone": "frequency_cap_user", "busy-browser": "frequency_cap_user", "calm-phone": "send",
                                     "anon-busy": "frequency_cap_token", "anon-calm": "send"])
        let bypass = CampaignPlanner(campaignId: "c", definition: definition { $0.frequencyCap = [daily]; $0.bypassCaps = true })
            .plan(candidates, history: history, start: start)
        #expect(reasons(bypass).values.allSatisfy { $0 == "send" }, "transactional sends may bypass caps")
    }

    @Test func quietHoursDeferToTheirEndOrSkipInTheRecipientsZone() {
        // 08:00 UTC is 17:00 in Tokyo and 00:00 in Los Angeles.
        let quiet = QuietHours(startMinute: 22 * 60, endMinute: 7 * 60)
        let candidates = [token("tokyo", user: "a", timezone: "Asia/Tokyo"), token("la", user: "b", timezone: "America/Los_Angeles")]
        let deferred = CampaignPlanner(campaignId: "c", definition: definition { $0.quietHours = quiet }).plan(candidates, history: .init(), start: start)
        #expect(deferred[0].decision == .send(notBefore: start))
        #expect(deferred[1].decision == .send(notBefore: start.addingTimeInterval(7 * 3600)), "07:00 in Los Angeles is 15:00 UTC")
        var skipping = quiet
        skipping.action = .skip
        let skipped = CampaignPlanner(campaignId: "c", definition: definition { $0.quietHours = skipping }).plan(candidates, history: .init(), start: start)
        #expect(reasons(skipped) == ["tokyo": "send", "la": "quiet_hours"])
    }

    @Test func localTimeAndOptimisedSchedulesPlanEachPersonsMoment() {
        let candidates = [token("berlin", user: "a", timezone: "Europe/Berlin"), token("ny", user: "b", timezone: "America/New_York"),
                          token("opener", user: "c", timezone: "UTC"), token("new", user: "d", timezone: "UTC")]
        let local = CampaignPlanner(campaignId: "c", definition: definition { $0.schedule = CampaignSchedule(localTime: "09:00") })
            .plan(candidates, history: .init(), start: start)
        // 09:00 in Berlin (UTC+1) is 08:00 UTC — the start itself; 09:00 in New York (UTC-5) is 14:00 UTC.
        #expect(local[0].decision == .send(notBefore: start))
        #expect(local[1].decision == .send(notBefore: start.addingTimeInterval(6 * 3600)))
        let history = CampaignPlanner.History(openHoursByUser: ["c": [21, 21, 7]])
        let optimised = CampaignPlanner(campaignId: "c", definition: definition { $0.schedule = CampaignSchedule(optimized: true, defaultHour: 12) })
            .plan(candidates, history: history, start: start)
        #expect(optimised[2].decision == .send(notBefore: start.addingTimeInterval(13 * 3600)), "the user's usual 21:00")
        #expect(optimised[3].decision == .send(notBefore: start.addingTimeInterval(4 * 3600)), "no history: the campaign's default hour, nobody dropped")
    }
}
