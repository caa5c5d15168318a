import Foundation

/// The opt-in breakdown's period (`since` … `until`, both inclusive; open when absent) split into the UTC days it
/// holds whole, read from the daily rollup, and the parts of at most two days it cuts through, read from the
/// installations' first prompts.
public struct OptInPeriod: Sendable, Hashable {
    /// One row of the breakdown: platform, app version (`''`: none recorded) and prompt strategy.
    public struct Group: Sendable, Hashable, Comparable {
        public var platform: String
        public var appVersion: String
        public var strategy: String

        public init(platform: String, appVersion: String, strategy: String) {
            (self.platform, self.appVersion, self.strategy) = (platform, appVersion, strategy)
        }

        /// SQLite's order: by bytes, no app version first.
        public static func < (a: Group, b: Group) -> Bool {
            func bytes(_ x: Group) -> [UInt8] { Array(x.platform.utf8) + [0] + Array(x.appVersion.utf8) + [0] + Array(x.strategy.utf8) }
            return bytes(a).lexicographicallyPrecedes(bytes(b))
        }
    }

    /// Times from `from` through `through`, both inclusive.
    public struct Part: Sendable, Hashable {
        public var from: Double
        public var through: Double
    }

    public static let dayLength = 86_400.0
    /// The UTC days wholly inside the period.
    public var wholeDays: Range<Int>?
    public var partialDays: [Part] = []

    public init(since: Date?, until: Date?) {
        let start = since?.timeIntervalSince1970 ?? 0
        let end = until?.timeIntervalSince1970
        guard end.map({ start <= $0 }) ?? true else { return }
        let firstWhole = Int((start / Self.dayLength).rounded(.up))
        let pastWhole = end.map { Int(($0 / Self.dayLength).rounded(.down)) } ?? Int.max
        guard firstWhole < pastWhole else {
            partialDays = [Part(from: start, through: end ?? .greatestFiniteMagnitude)]
            return
        }
        wholeDays = firstWhole..<pastWhole
        let firstMidnight = Double(firstWhole) * Self.dayLength
        if start < firstMidnight { partialDays.append(Part(from: start, through: firstMidnight.nextDown)) }
        if let end { partialDays.append(Part(from: Double(pastWhole) * Self.dayLength, through: end)) }
    }
}
