import Foundation
import Testing
import PerchCore
@testable import PerchStore

/// Token-health analytics on small populations with answers worked out by hand.
@Suite("Token analytics")
struct AnalyticsStoreTests {
    /// Friday 2027-01-15 08:00 UTC; its week starts Monday 2027-01-11.
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 86_400

    @Test("the live series adds each day's registrations and subtracts its retirements", arguments: StoreBackend.allCases)
    func growth(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: now - 30 * day).app.id
        // Two tokens long before the window, three two days ago, one yesterday; one of the old ones dies yesterday.
        for seed in 0..<2 { _ = try await store.register(appId: app, Sample.registration(Sample.apns(seed), installation: "old\(seed)"), now: now - 20 * day) }
        for seed in 2..<5 { _ = try await store.register(appId: app, Sample.registration(Sample.fcm(seed), installation: "n\(seed)"), now: now - 2 * day) }
        _ = try await store.register(appId: app, Sample.registration(Sample.apns(5), installation: "y"), now: now - 1 * day)
        let dead = try #require(try await store.installation(appId: app, installationId: "old0")?.tokenId)
        #expect(try await store.retireToken(appId: app, tokenId: dead, reason: "Unregistered", at: now - 1 * day, unlessSeenAfter: nil))
        let series = try await store.tokenGrowth(appId: app, filter: .init(), days: 3, now: now)
        #expect(series.map(\.registered) == [3, 1, 0])
        #expect(series.map(\.retired) == [0, 1, 0])
        #expect(series.map(\.live) == [5, 5, 5])
        #expect(series.map(\.growth) == [3, 0, 0])
        let fcmOnly = try await store.tokenGrowth(appId: app, filter: .init(platform: .fcm), days: 3, now: now)
        #expect(fcmOnly.map(\.live) == [3, 3, 3])
    }

    @Test("survival counts a token live at an age only once it has reached that age", arguments: StoreBackend.allCases)
    func survival(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: now - 30 * day).app.id
        let monday = Date(timeIntervalSince1970: 1_799_625_600)   // 2027-01-11 00:00 UTC
        let lastMonday = monday - 7 * day
        // Last week: four APNs tokens; one dies 3 days after registering. This week: two, registered 1 day ago.
        for seed in 0..<4 {
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(seed), installation: "w1-\(seed)"), now: lastMonday + day)
        }
        let dies = try #require(try await store.installation(appId: app, installationId: "w1-0")?.tokenId)
        _ = try await store.retireToken(appId: app, tokenId: dies, reason: "Unregistered", at: lastMonday + 4 * day, unlessSeenAfter: nil)
        for seed in 4..<6 {
            _ = try await store.register(appId: app, Sample.registration(Sample.apns(seed), installation: "w2-\(seed)"), now: now - day)
        }
        let cohorts = try await store.tokenSurvival(appId: app, filter: .init(), weeks: 2, checkpoints: [1, 7, 30], now: now)
        #expect(cohorts.count == 2)
        let first = try #require(cohorts.first)
        #expect(first.weekStart == lastMonday && first.platform == "apns" && first.registered == 4)
        #expect(first.points.map(\.measured) == [4, 4, 0], "30 days have not passed for anyone")
        #expect(first.points.map(\.alive) == [4, 3, 0])
        #expect(first.points[1].share == 0.75 && first.points[2].share == nil)
        let second = try #require(cohorts.last)
        #expect(second.weekStart == monday && second.points.map(\.measured) == [2, 0, 0] && second.points[0].alive == 2)
    }

    @Test("opt-in is granted after a prompt / prompted, per platform, version and strategy", arguments: StoreBackend.allCases)
    func optIn(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: now - 30 * day).app.id
        var events: [ClientEvent] = []
        for index in 0..<10 {
            let installation = "i\(index)"
            _ = try await store.register(appId: app, Sample.registration(Sample.webpush(index), installation: installation), now: now - day)
            let strategy = index < 6 ? "soft" : "hard"
            events.append(ClientEvent(type: .promptShown, installationId: installation, occurredAt: now - 3600, properties: ["strategy": .string(strategy)]))
            // soft: 4 of 6 grant; hard: 1 of 4; one hard installation granted before its prompt, which does not count.
            if (index < 4) || index == 6 {
                events.append(ClientEvent(type: .permissionGranted, installationId: installation, occurredAt: now - 3000))
            }
            if index == 9 { events.append(ClientEvent(type: .permissionGranted, installationId: installation, occurredAt: now - 7200)) }
        }
        _ = try await store.record(appId: app, events: events, now: now)
        let rows = try await store.optInBreakdown(appId: app, filter: .init(), since: nil, until: nil)
        #expect(rows.map(\.strategy) == ["hard", "soft"])
        #expect(rows.map(\.prompted) == [4, 6] && rows.map(\.granted) == [1, 4])
        #expect(rows[0].rate == 0.25 && abs(rows[1].rate! - 4.0 / 6.0) < 1e-12)
        #expect(try await store.optInBreakdown(appId: app, filter: .init(), since: now - 60, until: nil).isEmpty, "the period bounds the prompts")
    }

    @Test("opt-in counts each installation once per strategy, at its first prompt, across whole days and the days a period cuts",
          arguments: StoreBackend.allCases)
    func optInPeriods(backend: StoreBackend) async throws {
        let opened = try await backend.open()
        defer { withExtendedLifetime(opened) {} }   // it holds the PostgreSQL pool
        let store = opened.store
        let app = try await store.createApp(name: "A", bundleId: nil, webOrigin: nil, now: now - 30 * day).app.id
        let midnight = (now.timeIntervalSince1970 / day).rounded(.down) * day
        // Installation k is first prompted k days and 6 hours before today's midnight; i0 again today, i1 granted later.
        var events: [ClientEvent] = []
        for index in 0..<5 {
            _ = try await store.register(appId: app, Sample.registration(Sample.webpush(index), installation: "i\(index)"), now: now - 10 * day)
            events.append(ClientEvent(type: .promptShown, installationId: "i\(index)",
                                      occurredAt: Date(timeIntervalSince1970: midnight - Double(index) * day - 6 * 3600),
                                      properties: ["strategy": .string("soft")]))
        }
        events.append(ClientEvent(type: .promptShown, installationId: "i0", occurredAt: Date(timeIntervalSince1970: midnight + 60),
                                  properties: ["strategy": .string("soft")]))
        events.append(ClientEvent(type: .permissionGranted, installationId: "i1", occurredAt: Date(timeIntervalSince1970: midnight)))
        _ = try await store.record(appId: app, events: events, now: now)
        func prompted(_ since: Double?, _ until: Double?) async throws -> [Int] {
            try await store.optInBreakdown(appId: app, filter: .init(), since: since.map { Date(timeIntervalSince1970: midnight + $0) },
                                           until: until.map { Date(timeIntervalSince1970: midnight + $0) }).flatMap { [$0.prompted, $0.granted] }
        }
        #expect(try await prompted(nil, nil) == [5, 1], "i0's second prompt does not count it twice")
        // From 19:00 three days ago (after i2's prompt) through 20:00 yesterday: a cut day, a whole day (i1), a cut day (i0).
        #expect(try await prompted(-3 * day + 19 * 3600, -4 * 3600) == [2, 1])
        #expect(try await prompted(-3 * day + 18 * 3600, -3 * day + 18 * 3600) == [1, 0], "a period of one instant holds i2's prompt")
        #expect(try await prompted(-2 * day, nil) == [2, 1], "whole days from the day before yesterday on: i0 and i1")
        #expect(try await prompted(30, nil).isEmpty, "i0's later prompt is not its first")
    }
}
