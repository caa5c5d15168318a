import Foundation
import Logging
import PerchCore
import PerchStore
import PerchTestSupport
import Testing
@testable import PerchDelivery

/// Resolution of a campaign's audience, slice by slice, against every backend.
@Suite("Campaign resolution in slices")
struct CampaignResolverTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Three users on three devices each, five anonymous installations (one that declined), all on APNs.
    static func app(_ store: any PerchStore) async throws -> String {
        let app = try await store.createApp(name: "Slices", bundleId: nil, webOrigin: nil, now: t0).app.id
        var seed = 0
        for user in ["u1", "u2", "u3"] {
            for device in 0..<3 {
                seed += 1
                _ = try await store.register(appId: app, TokenRegistration(installationId: "\(user)-d\(device)",
                                                                          destination: .apns(token: Tokens.apns(seed), environment: .production),
                                                                          userId: user, timezone: "UTC", consent: .granted),
                                             now: t0 + Double(seed))
            }
        }
        for index in 0..<5 {
            seed += 1
            _ = try await store.register(appId: app, TokenRegistration(installationId: "anon-\(index)",
                                                                      destination: .apns(token: Tokens.apns(seed), environment: .production),
                                                                      timezone: "UTC", consent: index == 4 ? .denied : .granted),
                                         now: t0 + Double(seed))
        }
        return app
    }

    @Test("a filtered audience resolved two installations at a time gets the decisions the planner makes over the whole audience, each user's devices together",
          arguments: TestBackend.allCases)
    func slicesDecideAsTheWhole(backend: TestBackend) async throws {
        let opened = try await OpenedTestStore.open(backend)
        let store = opened.store
        let app = try await Self.app(store)
        let definition = CampaignDefinition(name: "sliced", audience: .init(filter: "platform == \"apns\""), message: PushMessage(title: "t", body: "b"),
                                            variants: [.init(name: "a", weight: 1), .init(name: "b", weight: 1)], holdoutPercent: 30,
                                            devicePolicy: .latest)
        let created = try await store.createCampaign(appId: app, definition: definition, kind: .campaign, now: Self.t0 + 100)
        let started = try #require(try await store.startCampaign(appId: app, id: created.id, startAt: Self.t0 + 100, now: Self.t0 + 100))
        var resolver = CampaignResolver(store: store, logger: Logger(label: "test"))
        resolver.sliceSize = 2

        let whole = CampaignPlanner(campaignId: created.id, definition: definition)
            .plan(try await store.candidates(appId: app, audience: .filter(try AudienceFilter.parse("platform == \"apns\"")), now: Self.t0 + 100),
                  history: .init(), start: Self.t0 + 100)
        #expect(whole.count == 14)
        let expected = CampaignDryRun(whole, variantNames: ["a", "b"])
        #expect(expected.leftOut["device_policy", default: 0] >= 2, "users' extra devices are left out: \(expected)")

        #expect(try await resolver.dryRun(started, now: Self.t0 + 100) == expected, "a dry run counts slice by slice")
        #expect(try await resolver.resolveCounted(started, now: Self.t0 + 100) == expected)

        let rows = try await store.deliveries(appId: app, campaignId: created.id, installationId: nil)
        #expect(rows.count == 14, "one row per token, none twice")
        let byToken = Dictionary(uniqueKeysWithValues: rows.map { ($0.tokenId, $0) })
        for planned in whole {
            let row = try #require(byToken[planned.candidate.tokenId])
            switch planned.decision {
            case .send:
                #expect(row.state == "pending" && row.variant == planned.variant, "\(planned.candidate.installationId): \(row.state)")
            case .exclude(let reason):
                #expect(row.state == "suppressed" && row.reason == reason.code, "\(planned.candidate.installationId): \(row.reason ?? "-")")
            }
        }
        let resolved = try #require(try await store.campaign(appId: app, id: created.id))
        #expect(resolved.resolvedAt == Self.t0 + 100, "resolved once the last slice is written")
        #expect(try await resolver.resolve(started, now: Self.t0 + 101) == 14, "resolving again after a crash adds nothing")
        #expect(try await store.deliveries(appId: app, campaignId: created.id, installationId: nil).count == 14)
        withExtendedLifetime(opened) {}
    }

    @Test("the store answers where a slice of people ends: whole users first, then the anonymous installations", arguments: TestBackend.allCases)
    func boundaries(backend: TestBackend) async throws {
        let opened = try await OpenedTestStore.open(backend)
        let store = opened.store
        let app = try await Self.app(store)
        #expect(try await store.peopleBoundary(appId: app, of: .users, after: "", size: 1) == "u1")
        #expect(try await store.peopleBoundary(appId: app, of: .users, after: "", size: 4) == "u2", "the fourth installation is u2's")
        #expect(try await store.peopleBoundary(appId: app, of: .users, after: "u2", size: 3) == "u3")
        #expect(try await store.peopleBoundary(appId: app, of: .users, after: "u2", size: 4) == nil, "fewer are left: the slice runs to the end")
        #expect(try await store.peopleBoundary(appId: app, of: .anonymous, after: "", size: 2) == "anon-1")
        #expect(try await store.peopleBoundary(appId: app, of: .anonymous, after: "anon-3", size: 2) == nil)

        let everyone = ResolvedAudience.filter(try AudienceFilter.parse("platform == \"apns\""))
        var slice: PeopleSlice? = .first
        var seen: [[String]] = []
        while var current = slice {
            current.through = try await store.peopleBoundary(appId: app, of: current.people, after: current.after, size: 4)
            seen.append(try await store.candidates(appId: app, audience: .slice(current, within: everyone), now: Self.t0)
                .map(\.installationId).sorted())
            slice = current.next
        }
        #expect(seen == [["u1-d0", "u1-d1", "u1-d2", "u2-d0", "u2-d1", "u2-d2"], ["u3-d0", "u3-d1", "u3-d2"],
                         ["anon-0", "anon-1", "anon-2", "anon-3"], ["anon-4"]])
        withExtendedLifetime(opened) {}
    }
}
