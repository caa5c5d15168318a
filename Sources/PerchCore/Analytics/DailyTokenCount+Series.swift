import Foundation

extension DailyTokenCount {
    /// Seconds in a day: the series counts whole UTC days.
    public static let day: TimeInterval = 86_400

    /// The first day of a series of `days` days that ends with today (UTC).
    public static func seriesStart(days: Int, now: Date) -> Date {
        let today = (now.timeIntervalSince1970 / day).rounded(.down) * day
        return Date(timeIntervalSince1970: today - Double(max(1, days) - 1) * day)
    }

    /// The live-token series: the tokens live at the window's start, then each day's arrivals and departures summed
    /// in order. `registered` and `retired` count by day index from `start` (0 is the first day); counts outside
    /// the window are ignored.
    public static func series(start: Date, days: Int, liveAtStart: Int, registered: [Int: Int], retired: [Int: Int]) -> [DailyTokenCount] {
        var live = liveAtStart
        return (0..<max(0, days)).map { index in
            let arrived = registered[index] ?? 0, left = retired[index] ?? 0
            live += arrived - left
            return DailyTokenCount(day: start.addingTimeInterval(Double(index) * day), registered: arrived, retired: left,
                                   live: live, growth: arrived - left)
        }
    }
}
