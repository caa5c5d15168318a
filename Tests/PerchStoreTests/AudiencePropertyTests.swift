import Foundation
import Testing
import PerchCore
@testable import PerchStore

@Suite("Audience: SQL and in-memory evaluation agree")
struct AudiencePropertyTests {
    static let platforms: [Platform] = [.apns, .fcm, .webpush]
    static let versions = ["1.0", "1.2.0", "1.10.1", "2.0.0-beta.1", "2.0", "2.1.3", "not-a-version", nil] as [String?]
    static let locales = ["en-US", "de-DE", "fr-FR", nil] as [String?]
    static let zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", nil] as [String?]
    static let plans: [JSONValue] = [.string("free"), .string("pro"), .string("team"), .number(3), .bool(true)]
    static let eventNames = ["opened", "purchase", "cart_abandoned", "received"]

    @Test("random filters over a random population select the same tokens", arguments: StoreBackend.allCases)
    func agree(backend: StoreBackend) async throws {
        var random = SeededGenerator(seed: 20_261_129)
        let opened = try await backend.open()
        let store = opened.store
        let app = try await store.createApp(name: "prop", bundleId: nil, webOrigin: nil, now: Date()).app.id
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let day: TimeInterval = 86_400

        var subjects: [String: AudienceSubject] = [:]   // by token id
        var events: [AudienceSubject.Event] = []
        var attributesByUser: [String: [String: JSONValue]] = [:]
        for index in 0..<160 {
            let platform = Self.platforms.randomElement(using: &random)!
            let destination: PushDestination = switch platform {
            case .apns: Sample.apns(index)
            case .fcm: Sample.fcm(index)
            case .webpush: Sample.webpush(index)
            }
            let userId: String? = Int.random(in: 0..<3, using: &random) == 0 ? nil : "user-\(Int.random(in: 0..<60, using: &random))"
            let seenAt = now.addingTimeInterval(-Double(Int.random(in: 0..<90, using: &random)) * day - Double(Int.random(in: 0..<86_400, using: &random)))
            let consent = [ConsentStatus.granted, .denied, nil].randomElement(using: &random)!
            let registration = TokenRegistration(
                installationId: "inst-\(index)", destination: destination, userId: userId,
                appVersion: Self.versions.randomElement(using: &random)!, locale: Self.locales.randomElement(using: &random)!,
                timezone: Self.zones.randomElement(using: &random)!, consent: consent)
            let result = try await store.register(appId: app, registration, now: seenAt)
            var status = TokenStatusName.active
            if Int.random(in: 0..<8, using: &random) == 0 {
                _ = try await store.unregister(appId: app, installationId: registration.installationId, now: seenAt)
                status = .revoked
            }
            subjects[result.tokenId] = AudienceSubject(
                tokenId: result.tokenId, installationId: registration.installationId, platform: platform, appVersion: registration.appVersion,
                locale: registration.locale, timezone: registration.timezone, status: status, consent: consent, createdAt: seenAt,
                lastSeenAt: seenAt, userId: userId, userAttributes: [:], events: [])
            if let userId, attributesByUser[userId] == nil, Bool.random(using: &random) {
                let attributes: [String: JSONValue] = ["plan": Self.plans.randomElement(using: &random)!,
                                                       "age": .number(Double(Int.random(in: 18..<70, using: &random)))]
                attributesByUser[userId] = attributes
                _ = try await store.setUserAttributes(appId: app, userId: userId, attributes: attributes, now: now)
            }
            var batch: [ClientEvent] = []
            for _ in 0..<Int.random(in: 0..<4, using: &random) {
                let event = ClientEvent(type: EventType(rawValue: Self.eventNames.randomElement(using: &random)!)!,
                                        installationId: registration.installationId,
                                        occurredAt: now.addingTimeInterval(-Double(Int.random(in: 0..<(40 * 86_400), using: &random))))
                batch.append(event)
                events.append(.init(name: event.type.rawValue, at: event.occurredAt, installationId: event.installationId, userId: userId))
            }
            if !batch.isEmpty { _ = try await store.record(appId: app, events: batch, now: now) }
        }
        for id in subjects.keys {
            subjects[id]!.events = events
            if let user = subjects[id]!.userId { subjects[id]!.userAttributes = attributesByUser[user] ?? [:] }
        }

        var nonTrivial = 0
        for round in 0..<300 {
            let filter = Self.randomFilter(depth: 3, using: &random)
            let fromSQL = Set(try await store.tokenIds(appId: app, matching: filter, now: now))
            let inMemory = Set(subjects.values.filter { filter.matches($0, now: now) }.map(\.tokenId))
            #expect(fromSQL == inMemory, "round \(round): \(filter)\nonly SQL: \(fromSQL.subtracting(inMemory).count), only memory: \(inMemory.subtracting(fromSQL).count)")
            // The live count: one installation per selected token here, people by user (or the anonymous installation).
            let people = Set(inMemory.compactMap { subjects[$0] }.map { $0.userId.map { "user:" + $0 } ?? "installation:" + $0.installationId })
            let size = try await store.audienceSize(appId: app, filter: filter, now: now)
            #expect(size == AudienceSize(installations: inMemory.count, people: people.count), "round \(round): \(filter)")
            if !inMemory.isEmpty && inMemory.count < subjects.count { nonTrivial += 1 }
            if fromSQL != inMemory { break }
        }
        #expect(nonTrivial > 100, "most random filters should select some but not all tokens")
    }

    static func randomFilter(depth: Int, using random: inout SeededGenerator) -> AudienceFilter {
        if depth > 0, Int.random(in: 0..<3, using: &random) == 0 {
            let a = randomFilter(depth: depth - 1, using: &random)
            let b = randomFilter(depth: depth - 1, using: &random)
            return [AudienceFilter.and(a, b), .or(a, b), .not(a)].randomElement(using: &random)!
        }
        let comparison = AudienceFilter.ComparisonOperator.allCases.randomElement(using: &random)!
        let days = Duration.seconds(86_400 * Int64.random(in: 1...60, using: &random))
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return .compare(.platform, comparison, .string(platforms.randomElement(using: &random)!.rawValue))
        case 1: return .compare(.appVersion, comparison, .string(["1.2", "1.10", "2.0.0", "2.0.0-beta.1", "1"].randomElement(using: &random)!))
        case 2: return .oneOf(.locale, [.string("en-US"), .string("fr-FR")].shuffled(using: &random).dropLast(Int.random(in: 0...1, using: &random)).map { $0 })
        case 3: return .compare(.timezone, comparison, .string(["Europe/Berlin", "Asia/Tokyo"].randomElement(using: &random)!))
        case 4: return .compare([.status, .consent].randomElement(using: &random)!, comparison,
                                .string(["active", "revoked", "granted", "denied"].randomElement(using: &random)!))
        case 5: return .compare(.user("plan"), comparison, plans.map { value -> AudienceFilter.Value in
            switch value {
            case .string(let s): .string(s)
            case .number(let n): .number(n)
            default: .bool(true)
            }
        }.randomElement(using: &random)!)
        case 6: return .compare(.user("age"), comparison, .number(Double(Int.random(in: 18..<70, using: &random))))
        case 7: return .within([.lastSeenAt, .createdAt, .lastOpenedAt].randomElement(using: &random)!, days)
        case 8: return .before([.lastSeenAt, .lastOpenedAt].randomElement(using: &random)!, .ago(days))
        case 9: return .known(Bool.random(using: &random))
        case 10: return .event(name: eventNames.randomElement(using: &random)!, count: nil, window: days)
        default: return .event(name: eventNames.randomElement(using: &random)!, count: .init(comparison, Int.random(in: 0...3, using: &random)), window: days)
        }
    }
}
