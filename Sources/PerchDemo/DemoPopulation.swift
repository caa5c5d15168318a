import Foundation
import PerchCore

/// A realistic population for `perch serve --demo`, drawn from a seed: multi-device users and anonymous
/// installs over APNs, FCM and Web Push, a consent mix, app versions, locales and time zones, stale,
/// expired and dead tokens, VoIP and Live Activity tokens on iOS, and a history of prompts, opens and conversions.
///
/// Pure: the same size and seed give the same population, so a restarted demo can re-derive what the
/// simulators must know (Web Push subscription keys, dead tokens) without reading it back.
public struct DemoPopulation: Sendable {
    public let size: Int
    public let seed: UInt64
    public let installations: [DemoInstallation]
    public let users: [DemoUser]

    /// Draws about `size` installations (exactly `size`) from `seed`.
    public init(size: Int, seed: UInt64) {
        self.size = size
        self.seed = seed
        var random = SeededGenerator(seed: seed)
        var installations: [DemoInstallation] = []
        installations.reserveCapacity(size)
        var users: [DemoUser] = []
        while installations.count < size {
            let place = Self.places.randomElement(using: &random)!
            // 30% of installs are anonymous; known users have one (60%), two (28%) or three (12%) devices.
            let anonymous = Double.random(in: 0..<1, using: &random) < 0.3
            let devices = anonymous ? 1 : Self.pick([(1, 0.60), (2, 0.28), (3, 0.12)], &random)
            var userId: String?
            if !anonymous {
                let user = DemoUser(userId: String(format: "user-%06d", users.count + 1),
                                    attributes: Self.attributes(country: place.country, random: &random))
                users.append(user)
                userId = user.userId
            }
            // A person's devices are mostly on different platforms: a phone, a tablet, a browser.
            var platforms = [Self.pick([(Platform.apns, 0.45), (.fcm, 0.40), (.webpush, 0.15)], &random)]
            while platforms.count < devices {
                platforms.append(Self.pick([(Platform.apns, 0.40), (.fcm, 0.25), (.webpush, 0.35)], &random))
            }
            for platform in platforms where installations.count < size {
                installations.append(Self.installation(index: installations.count, platform: platform, userId: userId, place: place,
                                                       random: &random))
            }
        }
        // Drawn from their own stream, so the rest of the population stays what the seed always gave.
        var kindRandom = SeededGenerator(seed: seed ^ 0x4B49_4E44)
        for index in installations.indices where installations[index].platform == .apns {
            installations[index].kinds = Self.kinds(index: index, random: &kindRandom)
        }
        self.installations = installations
        self.users = users
    }

    /// The activity types of the demo app's Live Activities.
    public static let activityTypes = ["DeliveryAttributes", "MatchAttributes"]

    /// An iOS installation's other tokens: a calling feature's VoIP token (20%), a push-to-start token for order
    /// tracking (35%) and one for match scores (15%), and for a third of the order trackers an order on its way now.
    static func kinds(index: Int, random: inout SeededGenerator) -> [TokenKind] {
        var kinds: [TokenKind] = []
        if Double.random(in: 0..<1, using: &random) < 0.20 { kinds.append(.voip) }
        if Double.random(in: 0..<1, using: &random) < 0.35 {
            kinds.append(.liveActivityStart(activityType: "DeliveryAttributes"))
            if Double.random(in: 0..<1, using: &random) < 0.33 {
                kinds.append(.liveActivity(activityType: "DeliveryAttributes", activityId: String(format: "demo-order-%06d", index)))
            }
        }
        if Double.random(in: 0..<1, using: &random) < 0.15 { kinds.append(.liveActivityStart(activityType: "MatchAttributes")) }
        return kinds
    }

    /// Installations by user id (anonymous ones left out).
    public var installationsByUser: [String: [DemoInstallation]] {
        Dictionary(grouping: installations.filter { $0.userId != nil }, by: { $0.userId! })
    }

    // MARK: drawing

    struct Place {
        var country: String
        var locale: String
        var timezones: [String]
        var currency: String
    }

    static let places: [Place] = [
        Place(country: "US", locale: "en-US", timezones: ["America/New_York", "America/Chicago", "America/Los_Angeles"], currency: "USD"),
        Place(country: "US", locale: "es-US", timezones: ["America/Los_Angeles", "America/Denver"], currency: "USD"),
        Place(country: "GB", locale: "en-GB", timezones: ["Europe/London"], currency: "GBP"),
        Place(country: "DE", locale: "de-DE", timezones: ["Europe/Berlin"], currency: "EUR"),
        Place(country: "FR", locale: "fr-FR", timezones: ["Europe/Paris"], currency: "EUR"),
        Place(country: "ES", locale: "es-ES", timezones: ["Europe/Madrid"], currency: "EUR"),
        Place(country: "BR", locale: "pt-BR", timezones: ["America/Sao_Paulo"], currency: "BRL"),
        Place(country: "IN", locale: "en-IN", timezones: ["Asia/Kolkata"], currency: "INR"),
        Place(country: "JP", locale: "ja-JP", timezones: ["Asia/Tokyo"], currency: "JPY"),
        Place(country: "AU", locale: "en-AU", timezones: ["Australia/Sydney", "Australia/Perth"], currency: "AUD"),
    ]

    static let firstNames = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim", "Hedy", "John",
                             "Radia", "Guido", "Sophie", "Yukihiro", "Lena", "Mateo", "Priya", "Chen", "Amara", "Lucas", "Noor", "Jonas"]

    static func attributes(country: String, random: inout SeededGenerator) -> [String: JSONValue] {
        var attributes: [String: JSONValue] = [
            "plan": .string(pick([("free", 0.70), ("pro", 0.25), ("team", 0.05)], &random)),
            "country": .string(country),
            "signupDaysAgo": .number(Double(Int.random(in: 1...900, using: &random))),
            "newsletter": .bool(Double.random(in: 0..<1, using: &random) < 0.4),
        ]
        // One user in ten never told us their first name: the message template's default covers them.
        if Double.random(in: 0..<1, using: &random) < 0.9 {
            attributes["firstName"] = .string(firstNames.randomElement(using: &random)!)
        }
        return attributes
    }

    static func installation(index: Int, platform: Platform, userId: String?, place: Place, random: inout SeededGenerator) -> DemoInstallation {
        let consent = pick([(DemoInstallation.Consent.granted, 0.68), (.denied, 0.14), (.revoked, 0.06), (.notAsked, 0.12)], &random)
        // Most were seen in the last two weeks; some are stale (31–120 days), a few expired (275–340 days).
        let seen = pick([(0, 0.75), (1, 0.05), (2, 0.15), (3, 0.05)], &random)
        let lastSeen = switch seen {
        case 0: Double.random(in: 0.01..<14, using: &random)
        case 1: Double.random(in: 14..<29, using: &random)
        case 2: Double.random(in: 31..<120, using: &random)
        default: Double.random(in: 275..<340, using: &random)
        }
        let appVersion = platform == .webpush
            ? pick([("2025.11.2", 0.6), ("2025.10.0", 0.3), ("2025.6.1", 0.1)], &random)
            : pick([("3.2.0", 0.38), ("3.1.4", 0.27), ("3.0.1", 0.17), ("2.9.0", 0.12), ("2.4.7", 0.06)], &random)
        let timezone = place.timezones.randomElement(using: &random)!
        var events: [DemoEvent] = []
        let installedDaysAgo = lastSeen + Double.random(in: 1..<200, using: &random)
        if consent != .notAsked {
            events.append(DemoEvent(type: .promptShown, daysAgo: installedDaysAgo))
            events.append(DemoEvent(type: consent == .denied ? .permissionDenied : .permissionGranted, daysAgo: installedDaysAgo - 0.0001))
        }
        if consent == .revoked {
            // Withdrawn after the last registration, so the token ends up `revoked`.
            events.append(DemoEvent(type: .permissionRevoked, daysAgo: lastSeen * Double.random(in: 0.2..<0.9, using: &random)))
        }
        if consent == .granted || consent == .revoked {
            // Opens cluster around the person's own hour (the optimised send time learns it), on past days.
            let habitHour = pick([(8, 0.25), (12, 0.2), (18, 0.25), (21, 0.3)], &random)
            for _ in 0..<pick([(0, 0.3), (1, 0.25), (3, 0.25), (6, 0.2)], &random) {
                let day = Double(Int.random(in: Int(lastSeen)...Int(lastSeen) + 60, using: &random))
                let hour = Double(habitHour) + Double.random(in: -1.5..<1.5, using: &random)
                events.append(DemoEvent(type: .opened, daysAgo: day + 1 - hour / 24))
            }
        }
        if Double.random(in: 0..<1, using: &random) < 0.12 {
            let amount = (Double.random(in: 5..<180, using: &random) * 100).rounded() / 100
            events.append(DemoEvent(type: .converted, daysAgo: Double.random(in: lastSeen..<(lastSeen + 90), using: &random),
                                    value: amount, currency: place.currency))
        }
        return DemoInstallation(
            index: index, installationId: "demo-\(platform.rawValue)-" + String(format: "%06d", index), platform: platform, userId: userId,
            appVersion: appVersion, locale: place.locale, timezone: timezone, consent: consent, lastSeenDaysAgo: lastSeen,
            isDead: Double.random(in: 0..<1, using: &random) < 0.04, events: events)
    }

    /// One of `choices`, drawn by weight.
    static func pick<T>(_ choices: [(T, Double)], _ random: inout SeededGenerator) -> T {
        let total = choices.reduce(0) { $0 + $1.1 }
        var draw = Double.random(in: 0..<total, using: &random)
        for (value, weight) in choices {
            if draw < weight { return value }
            draw -= weight
        }
        return choices[choices.count - 1].0
    }
}
