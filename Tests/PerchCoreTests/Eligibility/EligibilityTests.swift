import Foundation
import Testing
@testable import PerchCore

@Suite("Eligibility at send time")
struct EligibilityTests {
    /// 2027-01-15 08:00:00 UTC, a Friday.
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let hour: TimeInterval = 3600

    func candidate(status: TokenStatus = .active, consent: ConsentStatus? = .granted, user: String? = "u", timezone: String? = "UTC",
                   userSends: [Date] = [], tokenSends: [Date] = []) -> Eligibility.Candidate {
        .init(status: status, consent: consent, userId: user, timezone: timezone, userSends: userSends, tokenSends: tokenSends)
    }

    @Test func onlyLiveTokensWithGrantedConsentAreSent() {
        let rules = Eligibility()
        #expect(rules.decide(candidate(), now: now) == .send)
        #expect(rules.decide(candidate(status: .stale), now: now) == .send)
        #expect(Eligibility(includeStale: false).decide(candidate(status: .stale), now: now) == .exclude(.staleExcluded))
        #expect(rules.decide(candidate(status: .expired), now: now) == .exclude(.tokenNotLive(.expired)))
        #expect(rules.decide(candidate(status: .invalid(reason: "Unregistered", at: now)), now: now) == .exclude(.tokenNotLive(.invalid)))
        for consent in [ConsentStatus.denied, .revoked, nil] {
            #expect(rules.decide(candidate(consent: consent), now: now) == .exclude(.noConsent(consent)))
        }
    }

    @Test func userCapsCountEveryDeviceInARollingWindow() {
        let daily = FrequencyCap(limit: 3, window: .seconds(86_400))
        let weekly = FrequencyCap(limit: 10, window: .seconds(7 * 86_400))
        let rules = Eligibility(userCaps: [daily, weekly])
        let twoToday = [now - 1 * hour, now - 5 * hour]
        #expect(rules.decide(candidate(userSends: twoToday), now: now) == .send)
        #expect(rules.decide(candidate(userSends: twoToday + [now - 23 * hour]), now: now) == .exclude(.userCapReached(daily)))
        #expect(rules.decide(candidate(userSends: twoToday + [now - 25 * hour]), now: now) == .send, "rolling, not calendar days")
        let tenThisWeek = (1...10).map { now - Double($0) * 15 * hour }
        #expect(rules.decide(candidate(userSends: tenThisWeek), now: now) == .exclude(.userCapReached(weekly)))
    }

    @Test func tokenCapsApplyToAnonymousInstallations() {
        let cap = FrequencyCap(limit: 1, window: .seconds(86_400))
        let rules = Eligibility(userCaps: [cap], tokenCaps: [cap])
        #expect(rules.decide(candidate(user: nil, tokenSends: [now - hour]), now: now) == .exclude(.tokenCapReached(cap)))
        #expect(rules.decide(candidate(user: nil, userSends: [now - hour]), now: now) == .send, "user caps need a user")
    }

    @Test func capsCountSendsAfterThePlannedMomentToo() {
        // A campaign resolved after another started: the other's sends may be later than this one's planned time.
        let once = FrequencyCap(limit: 1, window: .seconds(86_400))
        #expect(once.isReached(by: [now + hour], now: now), "a send an hour later is within the same day")
        #expect(!once.isReached(by: [now + 25 * hour, now - 25 * hour], now: now), "a day apart on both sides")
        let twice = FrequencyCap(limit: 2, window: .seconds(86_400))
        #expect(!twice.isReached(by: [now - 20 * hour, now + 20 * hour], now: now), "no one stretch of a day holds both and this one")
        #expect(twice.isReached(by: [now - 20 * hour, now + 2 * hour], now: now), "the day from 20 h ago holds all three")
        #expect(twice.isReached(by: [now + 1 * hour, now + 23 * hour], now: now), "the day from now holds all three")
        let rules = Eligibility(userCaps: [once])
        #expect(rules.decide(candidate(userSends: [now + hour]), now: now) == .exclude(.userCapReached(once)))
    }

    @Test func transactionalSendsMayBypassCapsButNeverConsent() {
        let cap = FrequencyCap(limit: 1, window: .seconds(86_400))
        let rules = Eligibility(userCaps: [cap], bypassCaps: true)
        #expect(rules.decide(candidate(userSends: [now - hour]), now: now) == .send)
        #expect(rules.decide(candidate(consent: .revoked, userSends: [now - hour]), now: now) == .exclude(.noConsent(.revoked)))
    }

    @Test func quietHoursAreLocalAndDeferToTheirEnd() throws {
        // 22:00–08:00 quiet. 08:00 UTC is 17:00 in Tokyo (send), 03:00 in New York (quiet until 08:00 local = 13:00 UTC).
        let quiet = QuietHours(startMinute: 22 * 60, endMinute: 8 * 60)
        let rules = Eligibility(quietHours: quiet)
        #expect(rules.decide(candidate(timezone: "Asia/Tokyo"), now: now) == .send)
        #expect(rules.decide(candidate(timezone: "America/New_York"), now: now) == .deferUntil(now + 5 * hour))
        #expect(rules.decide(candidate(timezone: "UTC"), now: now) == .send, "08:00 is the end of the window, not in it")
        let skipping = Eligibility(quietHours: QuietHours(startMinute: 22 * 60, endMinute: 8 * 60, action: .skip))
        #expect(skipping.decide(candidate(timezone: "America/Los_Angeles"), now: now) == .exclude(.quietHours))
        #expect(quiet.decision(at: now, timeZone: nil) == .sendNow, "unknown zones use the fallback (UTC)")
    }

    @Test func devicePolicyChoosesWhichOfAPersonsDevices() {
        let candidates: [(tokenId: String, platform: Platform, lastSeenAt: Date)] = [
            ("chrome", .webpush, now - 3 * hour), ("firefox", .webpush, now - hour), ("edge", .webpush, now - 2 * hour),
            ("iphone", .apns, now - 5 * hour),
        ]
        #expect(DevicePolicy.all.choose(candidates) == ["chrome", "firefox", "edge", "iphone"])
        #expect(DevicePolicy.latest.choose(candidates) == ["firefox"])
        #expect(DevicePolicy.latestPerPlatform.choose(candidates) == ["firefox", "iphone"])
        #expect(DevicePolicy.latest.choose([]) == [])
    }

    @Test func holdoutAndVariantsAreDeterministicAndProportional() {
        let people = (0..<20_000).map { "user-\($0)" }
        let held = people.filter { Assignment.isHeldOut(campaignId: "cmp_1", person: $0, holdoutPercent: 10) }
        #expect((1_800...2_200).contains(held.count), "about 10%: \(held.count)")
        #expect(held == people.filter { Assignment.isHeldOut(campaignId: "cmp_1", person: $0, holdoutPercent: 10) }, "reruns agree")
        let otherCampaign = people.filter { Assignment.isHeldOut(campaignId: "cmp_2", person: $0, holdoutPercent: 10) }
        #expect(Set(held).intersection(otherCampaign).count < 400, "campaigns hold out independent groups")
        let variants = people.map { Assignment.variant(campaignId: "cmp_1", person: $0, weights: [3, 1]) }
        let share = Double(variants.filter { $0 == 0 }.count) / Double(people.count)
        #expect(abs(share - 0.75) < 0.02)
        #expect(Assignment.variant(campaignId: "c", person: "p", weights: [1]) == 0)
        #expect(!Assignment.isHeldOut(campaignId: "c", person: "p", holdoutPercent: 0))
    }
}
