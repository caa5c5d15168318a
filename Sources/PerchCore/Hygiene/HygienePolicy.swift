import Foundation

/// The windows after which an unseen token is flagged stale and then expired.
public struct HygienePolicy: Sendable, Hashable {
    /// Not seen for this long: `stale` (still sendable, flagged). Default 30 days.
    public var staleAfter: Duration
    /// Not seen for this long: `expired`. Default 270 days.
    public var expireAfter: Duration
    /// How often the scheduled job runs inside `perch serve`. Default hourly.
    public var interval: Duration

    public init(staleAfter: Duration = .seconds(30 * 86_400), expireAfter: Duration = .seconds(270 * 86_400), interval: Duration = .seconds(3600)) {
        self.staleAfter = staleAfter
        self.expireAfter = expireAfter
        self.interval = interval
    }

    /// Tokens last seen before this instant are stale.
    public func staleCutoff(now: Date) -> Date { now.addingTimeInterval(-staleAfter.timeInterval) }
    /// Tokens last seen before this instant are expired.
    public func expiryCutoff(now: Date) -> Date { now.addingTimeInterval(-expireAfter.timeInterval) }

    /// Parses `30d`, `12h`, `45m`, `90s`.
    public static func parseWindow(_ text: String) -> Duration? {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "d": return .seconds(amount * 86_400)
        case "h": return .seconds(amount * 3600)
        case "m": return .seconds(amount * 60)
        case "s": return .seconds(amount)
        default: return nil
        }
    }
}

extension Duration {
    /// The duration in seconds, as `TimeInterval`.
    public var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
