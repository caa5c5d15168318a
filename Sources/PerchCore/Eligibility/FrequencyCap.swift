import Foundation

/// At most `limit` messages within any rolling `window` (e.g. 3 per day, 10 per week).
public struct FrequencyCap: Sendable, Hashable, Codable, CustomStringConvertible {
    public var limit: Int
    public var window: Duration

    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Whether one more message at `now` would break the cap, given the times of the person's other sends —
    /// earlier ones, and later ones too: a campaign resolved after another started, or a send planned for a
    /// local time still ahead. The cap holds when no stretch of `window` that would contain the new message
    /// holds `limit` other sends already.
    public func isReached(by sends: some Sequence<Date>, now: Date) -> Bool {
        let width = window.timeInterval
        let near = sends.filter { abs($0.timeIntervalSince(now)) < width }.sorted()
        guard near.count >= limit else { return false }
        // The stretches containing `now` that could hold the most: those starting at a send before it, or at it.
        let starts = near.filter { $0 <= now } + [now]
        return starts.contains { start in near.count { $0 >= start && $0.timeIntervalSince(start) < width } >= limit }
    }

    public var description: String { "\(limit) per \(window.components.seconds)s" }

    enum CodingKeys: String, CodingKey { case limit, windowSeconds }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        limit = try container.decode(Int.self, forKey: .limit)
        window = .seconds(try container.decode(Int64.self, forKey: .windowSeconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(limit, forKey: .limit)
        // Whole seconds straight from the duration: through a `Double`, a window near `Int64.max` would trap.
        try container.encode(window.components.seconds, forKey: .windowSeconds)
    }
}
