import Foundation

/// The survival cohorts' arithmetic over rolled-up counts (docs/metrics.md, "Survival"): registration weeks from
/// Monday (UTC), and for each checkpoint of N days the cut at `now − N days` — tokens registered on a day before the
/// cut's day are all N days old; those of the cut's day are counted from the facts up to the cut's time.
public struct SurvivalWindow: Sendable {
    /// A checkpoint's cut: tokens registered at or before `time` are at least N days old; `day` is its UTC day.
    public struct Cut: Sendable, Hashable {
        public var day: Int
        public var time: Double
    }

    public struct Key: Sendable, Hashable, Comparable {
        public var week: Int
        public var platform: String
        public static func < (a: Key, b: Key) -> Bool { (a.week, a.platform) < (b.week, b.platform) }
    }

    /// The counts so far, per registration week and platform.
    public struct Tally: Sendable {
        var registered: [Key: Int] = [:]
        var measured: [Key: [Int]] = [:]
        var alive: [Key: [Int]] = [:]
        public init() {}
    }

    public static let dayLength = 86_400.0
    public let checkpoints: [Int]
    /// The first registration day counted: the Monday `weeks − 1` weeks before this week's.
    public let startDay: Int
    public let cuts: [Cut]

    public init(weeks: Int, checkpoints: [Int], now: Date) {
        let day = Self.dayLength, week = 7 * day, time = now.timeIntervalSince1970
        // Weeks start on Monday (1970-01-01 was a Thursday; the first Monday was 4 days later).
        let monday = ((time - 4 * day) / week).rounded(.down) * week + 4 * day
        startDay = Int(((monday - Double(max(1, weeks) - 1) * week) / day).rounded(.down))
        self.checkpoints = checkpoints
        cuts = checkpoints.map { days in
            let cut = time - Double(days) * day
            return Cut(day: Int((cut / day).rounded(.down)), time: cut)
        }
    }

    func key(day: Int, platform: String) -> Key { Key(week: (day - startDay) / 7, platform: platform) }

    /// Counts `n` tokens of `platform` registered on `day` that outlived registration by `lifetime` whole days (alive
    /// N days after registering exactly when `lifetime ≥ N`).
    public func count(day: Int, platform: String, lifetime: Int, n: Int, into tally: inout Tally) {
        guard day >= startDay else { return }
        let key = key(day: day, platform: platform)
        tally.registered[key, default: 0] += n
        var measured = tally.measured[key] ?? Array(repeating: 0, count: checkpoints.count)
        var alive = tally.alive[key] ?? Array(repeating: 0, count: checkpoints.count)
        for (index, cut) in cuts.enumerated() where day < cut.day {
            measured[index] += n
            if lifetime >= checkpoints[index] { alive[index] += n }
        }
        tally.measured[key] = measured
        tally.alive[key] = alive
    }

    /// Adds what the facts of checkpoint `checkpoint`'s cut day answered.
    public func countCut(checkpoint: Int, day: Int, platform: String, measured: Int, alive: Int, into tally: inout Tally) {
        let key = key(day: day, platform: platform)
        tally.measured[key, default: Array(repeating: 0, count: checkpoints.count)][checkpoint] += measured
        tally.alive[key, default: Array(repeating: 0, count: checkpoints.count)][checkpoint] += alive
    }

    /// The cohorts with a registered token, by week, then platform.
    public func cohorts(_ tally: Tally) -> [SurvivalCohort] {
        tally.registered.filter { $0.value != 0 }.keys.sorted().map { key in
            let measured = tally.measured[key] ?? [], alive = tally.alive[key] ?? []
            return SurvivalCohort(
                weekStart: Date(timeIntervalSince1970: Double(startDay + 7 * key.week) * Self.dayLength), platform: key.platform,
                registered: tally.registered[key] ?? 0,
                points: checkpoints.enumerated().map { index, days in
                    let m = index < measured.count ? measured[index] : 0, a = index < alive.count ? alive[index] : 0
                    return .init(days: days, measured: m, alive: a, share: m == 0 ? nil : Double(a) / Double(m))
                })
        }
    }
}
