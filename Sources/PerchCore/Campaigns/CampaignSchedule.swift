import Foundation

/// When a campaign's messages go out.
///
/// - `now` (the default);
/// - `at`: one moment for everyone;
/// - `localTime`: a wall-clock time in each recipient's own time zone (`"09:00"`), on or after `at` when given;
/// - `optimized`: each user at the hour they usually open, learned from their past `opened` events,
///   within `windowHours` of the start; users without history get `defaultHour` (nobody is dropped).
public struct CampaignSchedule: Sendable, Hashable, Codable {
    public var at: Date?
    /// `HH:MM` in the recipient's time zone.
    public var localTime: String?
    public var optimized: Bool?
    /// The local hour for users without open history (optimised sends). Default 18.
    public var defaultHour: Int?
    /// Optimised sends go out within this many hours of the start. Default 24.
    public var windowHours: Int?
    /// The zone for recipients whose time zone is unknown. Default UTC.
    public var fallbackTimeZone: String?

    public init(at: Date? = nil, localTime: String? = nil, optimized: Bool? = nil, defaultHour: Int? = nil, windowHours: Int? = nil,
                fallbackTimeZone: String? = nil) {
        self.at = at
        self.localTime = localTime
        self.optimized = optimized
        self.defaultHour = defaultHour
        self.windowHours = windowHours
        self.fallbackTimeZone = fallbackTimeZone
    }

    /// When the campaign starts (its audience is resolved then): `at`, or at once.
    public func start(sentAt: Date) -> Date { max(at ?? sentAt, sentAt) }

    /// `localTime` as minutes after midnight, or `nil` when absent or malformed.
    public var localMinute: Int? {
        guard let localTime else { return nil }
        let parts = localTime.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// The problems with the schedule, as (field, message).
    public func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        if localTime != nil, localMinute == nil { problems.append(("schedule.localTime", "localTime is HH:MM, 00:00 to 23:59")) }
        if localTime != nil, optimized == true { problems.append(("schedule", "choose localTime or optimized, not both")) }
        if let hour = defaultHour, !(0..<24).contains(hour) { problems.append(("schedule.defaultHour", "defaultHour is 0 to 23")) }
        if let hours = windowHours, !(1...168).contains(hours) { problems.append(("schedule.windowHours", "windowHours is 1 to 168")) }
        if let zone = fallbackTimeZone, TimeZone(identifier: zone) == nil { problems.append(("schedule.fallbackTimeZone", "unknown time zone")) }
        return problems
    }

    /// When one person's message goes out, given the campaign's start, their time zone and the local hours of
    /// their past opens (most frequent wins, ties to the earliest hour).
    public func sendTime(start: Date, timeZone identifier: String?, openHours: [Int] = []) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        let fallback = fallbackTimeZone ?? "UTC"
        calendar.timeZone = identifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: fallback) ?? .gmt
        if let minute = localMinute {
            return Self.next(minute: minute, onOrAfter: start, calendar: calendar)
        }
        if optimized == true {
            let counts = Dictionary(openHours.map { ($0, 1) }, uniquingKeysWith: +)
            let hour = counts.max { $0.value == $1.value ? $0.key > $1.key : $0.value < $1.value }?.key ?? defaultHour ?? 18
            let time = Self.next(minute: hour * 60, onOrAfter: start, calendar: calendar)
            let latest = start.addingTimeInterval(Double(windowHours ?? 24) * 3600)
            return min(time, latest)
        }
        return start
    }

    /// The first moment at `minute` after local midnight that is not before `start`.
    static func next(minute: Int, onOrAfter start: Date, calendar: Calendar) -> Date {
        let midnight = calendar.startOfDay(for: start)
        for day in 0...2 {
            guard let dayStart = calendar.date(byAdding: .day, value: day, to: midnight),
                  let candidate = calendar.date(bySettingHour: minute / 60, minute: minute % 60, second: 0, of: dayStart)
            else { continue }
            if candidate >= start { return candidate }
        }
        return start
    }
}
