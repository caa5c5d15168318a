import Foundation

/// A rate limit as the operator writes it: `REQUESTS/PERIOD[:BURST]`, such as `60/m` (60 a minute, bursts of up to 60)
/// or `600/h:30` (600 an hour, at most 30 at once). Periods are `s`, `m`, `h` and `d`.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    /// Requests allowed per `period`.
    public var requests: Int
    /// The period, in seconds.
    public var period: Int
    /// The most requests that may come at once (the bucket's size).
    public var burst: Int

    /// The largest number accepted in any part: keeps every product and quotient exact and overflow-free.
    public static let maximumNumber = 1_000_000_000

    public init(requests: Int, period: Int, burst: Int? = nil) {
        self.requests = requests
        self.period = period
        self.burst = burst ?? requests
    }

    public var description: String {
        let unit = switch period {
        case 1: "s"
        case 60: "m"
        case 3600: "h"
        default: "d"
        }
        return burst == requests ? "\(requests)/\(unit)" : "\(requests)/\(unit):\(burst)"
    }

    /// Parses `REQUESTS/PERIOD[:BURST]`; `nil` when malformed or a part is 0 or above ``maximumNumber``.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let rate = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard rate.count == 2, let requests = Int(rate[0]), (1...Self.maximumNumber).contains(requests) else { return nil }
        let period: Int
        switch rate[1].lowercased() {
        case "s", "sec", "second": period = 1
        case "m", "min", "minute": period = 60
        case "h", "hour": period = 3600
        case "d", "day": period = 86_400
        default: return nil
        }
        var burst = requests
        if parts.count == 2 {
            guard let value = Int(parts[1]), (1...Self.maximumNumber).contains(value) else { return nil }
            burst = value
        }
        self.init(requests: requests, period: period, burst: burst)
    }
}
