import Foundation
import Testing
@testable import PerchCore

/// A dry run counts the planner's own decisions: tokens and people sent to, per platform and variant, and tokens left out
/// per reason code — the same codes a sent campaign reports.
@Suite("Campaign dry run")
struct CampaignDryRunTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func candidate(_ installation: String, user: String?, _ platform: Platform) -> CampaignPlanner.Candidate {
        .init(tokenId: "tok-" + installation, installationId: installation, userId: user, platform: platform, status: .active,
              consent: .granted, timezone: "UTC", lastSeenAt: start)
    }

    @Test func countsTokensPeoplePlatformsVariantsAndReasons() {
        let alicePhone = Self.candidate("a-phone", user: "alice", .apns), aliceBrowser = Self.candidate("a-browser", user: "alice", .webpush)
        let bob = Self.candidate("b-phone", user: "bob", .fcm), anonymous = Self.candidate("anon", user: nil, .fcm)
        let carol = Self.candidate("c-phone", user: "carol", .apns)
        let planned: [CampaignPlanner.Planned] = [
            .init(candidate: alicePhone, variant: 0, decision: .send(notBefore: Self.start)),
            .init(candidate: aliceBrowser, variant: 0, decision: .send(notBefore: Self.start.addingTimeInterval(3600))),
            .init(candidate: bob, variant: 1, decision: .send(notBefore: Self.start)),
            .init(candidate: anonymous, variant: nil, decision: .exclude(.holdout)),
            .init(candidate: carol, variant: 1, decision: .exclude(.noConsent(.denied))),
        ]
        let dryRun = CampaignDryRun(planned, variantNames: ["Plain", "Bold"])
        #expect(dryRun.tokens == 3)
        #expect(dryRun.people == 2, "alice's two devices are one person")
        #expect(dryRun.byPlatform == ["apns": 1, "webpush": 1, "fcm": 1])
        #expect(dryRun.byVariant == ["Plain": 2, "Bold": 1])
        #expect(dryRun.leftOut == ["holdout": 1, "consent_denied": 1])
    }

    @Test func thePlannersDecisionsAreWhatIsCounted() {
        let definition = CampaignDefinition(name: "Half held out", audience: .init(filter: "known"), message: PushMessage(title: "Hi", body: "there"),
                                            holdoutPercent: 50)
        let candidates = (0..<40).map { Self.candidate("i\($0)", user: "u\($0)", .apns) }
        let planned = CampaignPlanner(campaignId: "cmp_dry", definition: definition).plan(candidates, history: .init(), start: Self.start)
        let dryRun = CampaignDryRun(planned, variantNames: [])
        let heldOut = (0..<40).filter { Assignment.isHeldOut(campaignId: "cmp_dry", person: "user:u\($0)", holdoutPercent: 50) }.count
        #expect(dryRun.leftOut == (heldOut == 0 ? [:] : ["holdout": heldOut]))
        #expect(dryRun.tokens == 40 - heldOut && dryRun.people == 40 - heldOut && dryRun.byVariant.isEmpty)
    }
}
