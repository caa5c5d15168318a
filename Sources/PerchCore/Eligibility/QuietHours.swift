import Foundation

/// A nightly window in the recipient's local time during which nothing is sent:
/// the message is deferred to the window's end, or skipped.
public struct QuietHours: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable {
        case `defer`
        case skip
    }

    /// Minutes after local midnight the window starts (e.g. 22:00 → 1320).
    public var startMinute: Int
    /// Minutes after local midnight it ends (e.g. 08:00 → 480); may be earlier than the start (overnight).
    public var endMinute: Int
    public var action: Action
    /// The zone for recipients whose time zone is unknown.
    public var fallbackTimeZone: String

    public init(startMinute: Int, endMinute: Int, action: Action = .defer, fallbackTimeZone: String = "UTC") {
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.action = action
        self.fallbackTimeZone = fallbackTimeZone
    }

    /// What to do with a send at `now` to someone in `timeZone`.
    public enum Decision: Sendable, Hashable {
        case sendNow
        case deferUntil(Date)
        case skip
    }

    public func decision(at now: Date, timeZone identifier: String?) -> Decision {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: identifier ?? fallbackTimeZone) ?? TimeZone(identifier: fallbackTimeZone) ?? .gmt
        let parts = calendar.dateComponents([.hour, .minute], from: now)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        guard contains(minute: minute) else { return .sendNow }
        switch action {
        case .skip:
            return .skip
        case .defer:
            let minutesLeft = (endMinute - minute + 1440) % 1440
            let startOfMinute = calendar.date(bySetting: .second, value: 0, of: now) ?? now
            // Adding minutes in local time keeps daylight-saving jumps honest.
            let end = calendar.date(byAdding: .minute, value: minutesLeft == 0 ? 1440 : minutesLeft, to: startOfMinute) ?? now
            return .deferUntil(end)
        }
    }

    func contains(minute: Int) -> Bool {
        if startMinute == endMinute { return false }
        if startMinute < endMinute { return minute >= startMinute && minute < endMinute }
        return minute >= startMinute || minute < endMinute
    }
}

extension QuietHours {
    enum CodingKeys: String, CodingKey { case start, end, action, fallbackTimeZone }

    /// `{"start": "22:00", "end": "08:00", "action": "defer" | "skip", "fallbackTimeZone": "UTC"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func minute(_ key: CodingKeys) throws -> Int {
            let text = try container.decode(String.self, forKey: key)
            guard let minute = CampaignSchedule(localTime: text).localMinute else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(key.stringValue) is HH:MM, 00:00 to 23:59")
            }
            return minute
        }
        let zone = try container.decodeIfPresent(String.self, forKey: .fallbackTimeZone) ?? "UTC"
        guard TimeZone(identifier: zone) != nil else {
            throw DecodingError.dataCorruptedError(forKey: .fallbackTimeZone, in: container, debugDescription: "unknown time zone")
        }
        self.init(startMinute: try minute(.start), endMinute: try minute(.end),
                  action: try container.decodeIfPresent(Action.self, forKey: .action) ?? .defer, fallbackTimeZone: zone)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(format: "%02d:%02d", startMinute / 60, startMinute % 60), forKey: .start)
        try container.encode(String(format: "%02d:%02d", endMinute / 60, endMinute % 60), forKey: .end)
        try container.encode(action, forKey: .action)
        try container.encode(fallbackTimeZone, forKey: .fallbackTimeZone)
    }
}

extension QuietHours.Action: CaseIterable, ClosedValueSet {}
