import Foundation

/// At most `limit` messages within any rolling `window` (e.g. 3 per day, 10 per week).
public struct FrequencyCap: Sendable, Hashable, Codable, CustomStringConvertible {
    public var limit: Int
    public var window: Duration

    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Whether one more message at `now` would break the cap, given the times of earlier sends.
    public func isReached(by sends: some Sequence<Date>, now: Date) -> Bool {
        let since = now.addingTimeInterval(-window.timeInterval)
        var count = 0
        for sent in sends where sent > since && sent <= now {
            count += 1
            if count >= limit { return true }
        }
        return false
    }

    public var description: String { "\(limit) per \(Int(window.timeInterval))s" }

    enum CodingKeys: String, CodingKey { case limit, windowSeconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limit = try container.decode(Int.self, forKey: .limit)
        window = .seconds(try container.decode(Int64.self, forKey: .windowSeconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        try container.encode(Int64(window.timeInterval), forKey: .windowSeconds)
    }
}
